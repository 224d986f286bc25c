"""The published table of rules: every check and every traffic rule with its source and level,
and the documented points neither can test, with the reason. ``dayzero-conformance list``
prints it; ``docs/RULES.md`` is its markdown, kept in sync by a test."""

from __future__ import annotations

from dataclasses import dataclass

import conformance.runner  # noqa: F401  (registers every check)
import conformance.traffic.rules  # noqa: F401  (registers every traffic rule)
from conformance.registry import CHECKS, TRAFFIC_RULES, UNCHECKED
from conformance.results import REQUEST

NONE = "—"
SHARED = "another client's writes, which the proxy never sees, could cause the same answer"
# Why a check has no traffic rule: what one client's traffic cannot show, or "not yet" where it
# could (a rule to add). A test keeps this equal to the checks without a traffic rule.
NO_TRAFFIC_RULE = {
    "AUTH-401-GARBAGE": "the proxy cannot tell a garbage token from a valid one (it sees no user table)",
    "AUTH-WWW-AUTHENTICATE": "not yet: a 401 without the header is visible in one exchange",
    "TENANT-CURSOR": "needs another business's cursor sent on purpose; a client's traffic has none",
    "ARTIFACT-DOWNLOAD-URL": "not yet: two download answers for one package with the same URL are visible",
    "ARTIFACT-FILENAME": "not yet: a filename that differs between package and download is visible",
    "PERIOD-CLOSE-NO-MATCH": "the proxy does not know every period of the business, so it cannot tell no match",
    "PERIOD-REOPEN-OPEN": f"a period the traffic last saw open may have been closed since: {SHARED}",
    "PERIOD-BULK-LOCK": f"a reason read back later may be a later lock's: {SHARED}",
    "PERIOD-BULK-LOCK-REASON": f"a reason read back later may be a later lock's: {SHARED}",
    "PERIOD-UNKNOWN-404": "the proxy cannot know that an id names no period (other clients create them)",
    "CLOSE-SCORE-RANGE": "not yet: a close score outside 0-100 is visible (score-range covers readiness only)",
    "SIGN-OFF-RECOMPUTES": f"needs the score before and after with nothing else changed: {SHARED}",
    "SIGN-OFF-REVOKE": "status-undeclared shows a status the generation does not declare; the rest needs a probe",
    "SIGN-OFF-IDEMPOTENT": f"a new id after a second sign-off may follow another client's revoke: {SHARED}",
    "SIGN-OFF-REVOKE-GONE": f"a second revoke may find another sign-off made in between: {SHARED}",
    "CT-NO-SERVER-ERROR": "a 5xx shows as the exchange's status; one exchange cannot say it was the input, "
    "not an outage",
    "CT-POSITIVE-ACCEPTED": "a schema-valid request may still break a prose rule; traffic cannot tell a wrong refusal",
    "CT-STATEFUL": "needs the sequences Schemathesis generates, not a client's",
    "CT-OTHER": "Schemathesis built-ins that probe with requests a client does not send",
    "PAGINATION-ORDER": "not yet: a page out of its sort order is visible in one exchange",
    "PAGINATION-LIMIT": "not yet: a page longer than its limit is visible in one exchange",
    "PAGINATION-GARBAGE-CURSOR": "needs a garbage cursor sent on purpose; a client's traffic has none",
    "PAGINATION-PREV-EMPTY-SORT": "needs a cursor reused across sorts on purpose; a client's traffic has none",
    "CREATE-GET-ROUNDTRIP": "not yet: a get whose inputs differ from its create (they never change) is visible",
    "CREATE-SHAPE": "response-schema shows the shape; the defaults need the kit's own request",
    "CREATE-LISTED": f"a listing may page past a new package when others create many: {SHARED}",
    "MODEL-STATE-MACHINE": "needs the sequences the kit's state machine generates, not a client's",
}


@dataclass(frozen=True)
class Row:
    rule: str
    source: str
    level: str
    check: str
    traffic: str
    note: str = ""


def rows() -> list[Row]:
    """Checks first (in registry order), then traffic rules no check names, then what nothing tests."""
    found = [
        Row(
            c.title,
            c.source,
            c.level,
            c.id,
            ", ".join(c.traffic) or NONE,
            c.rationale + (f" No traffic rule: {NO_TRAFFIC_RULE[c.id]}." if c.id in NO_TRAFFIC_RULE else ""),
        )
        for c in CHECKS.values()
    ]
    named = {rule for c in CHECKS.values() for rule in c.traffic}
    for rule in TRAFFIC_RULES.values():
        if rule.id in named:
            continue
        note = rule.rationale
        if rule.side == REQUEST:
            note += " (a rule for clients: `run` tests servers)"
        found.append(Row(rule.rationale[0].upper() + rule.rationale[1:], rule.source, rule.level, NONE, rule.id, note))
    for point in UNCHECKED:
        found.append(Row(point.rule, point.source, "MUST", NONE, NONE, f"not testable: {point.reason}"))
    return found


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    lines = [
        "# Rules of the DayZero contract the kit tests",
        "",
        "Generated by `dayzero-conformance list --format markdown`; `tests/conformance/test_rules_table.py` keeps this "
        "page equal to the code. Level: MUST when the rule is written on a published page (schema, "
        "description, field text, guide or feature page), SHOULD when it is inferred or ours. A failed MUST "
        "check fails `run` (exit 1); SHOULD failures do so only with `--strict`. Traffic rules are what "
        "`proxy` and `validate-har` report.",
        "",
        "| rule | source | level | check | traffic rule | note |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {_cell(r.rule)} | {_cell(r.source)} | {r.level} | {r.check} | {_cell(r.traffic)} | {_cell(r.note)} |"
        for r in rows()
    ]
    return "\n".join(lines) + "\n"


def text() -> str:
    out = []
    for r in rows():
        out.append(f"{r.check:<30} {r.level:<6} {r.rule}\n{'':<38}source: {r.source}\n{'':<38}traffic: {r.traffic}")
    return "\n".join(out)
