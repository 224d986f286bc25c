"""The document the mock's docs page (``/docs``) loads: the effective contract, aimed at this mock.

The published bundle names one server, DayZero's production API. Swagger UI sends "Try it
out" requests to the document's ``servers`` entry, so a page loading the published bundle
would send a developer's token to production. This document (ours, served at
``/openapi.effective.json``) is the effective contract with:

- ``servers``: only the mock the page was reached on (``--public-url`` wins when set);
- the overlay's bearer scheme, so Swagger UI's Authorize button works (it ignores header
  parameters named ``Authorization``, as OpenAPI says);
- the demo identities in the description, and the business header prefilled with the first
  business the first demo token may use;
- what codegen and fuzzers need beyond the contract (enforced enums, error schemas, links:
  ``effective_document.serve_tools``), and "Try it out" examples with real fixture ids.

``/openapi.json`` and ``/openapi.yaml`` stay the published bundle, untouched.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dayzero_mock_kit.openapi.operations import Operation
from mock_server.domain.identities import Fixtures
from mock_server.domain.periods import Period
from mock_server.domain.state import Ledger
from mock_server.edge.access import BUSINESS_HEADER
from mock_server.edge.effective_document import serve_tools


def identities_markdown(fixtures: Fixtures, now: float) -> str:
    """A markdown list of the fixture's tokens, their users and the businesses each may use.

    A list, not a table: Swagger UI's markdown runs a table's cells together
    ("admin@dayzero.exampleAcme Demo Co").
    """
    rows = []
    for value, token in fixtures.tokens.items():
        expired = token.expires_at is not None and token.expires_at.timestamp() <= now
        names = "; ".join(
            f"{business.name} `{business.id}`" + ("" if business.cfo_suite else " (no CFO Suite: 403)")
            for business in fixtures.businesses.values()
            if business.id in token.user.business_ids
        )
        who = f" (user {token.user.email})" if token.user.email else ""
        rows.append(f"- `{value}`{who}: {'expired, answers 401' if expired else names}")
    return "\n".join(rows)


def default_business_id(fixtures: Fixtures, now: float) -> str | None:
    """The first business with the add-on that the first usable token may act for."""
    for token in fixtures.tokens.values():
        if token.expires_at is not None and token.expires_at.timestamp() <= now:
            continue
        for business in fixtures.businesses.values():
            if business.cfo_suite and business.id in token.user.business_ids:
                return business.id
    return None


def docs_document(
    effective: Mapping[str, Any],
    server_url: str,
    fixtures: Fixtures,
    now: float,
    examples: TryItOutExamples | None = None,
) -> dict[str, Any]:
    """The effective contract aimed at ``server_url``, with the demo identities one click away
    and (``examples``) every operation's "Try it out" prefilled with requests that work."""
    document = copy.deepcopy(dict(effective))
    document["servers"] = [{"url": server_url, "description": "This mock (dayzero-mock)"}]
    info = document.setdefault("info", {})
    info["description"] = (
        f"{info.get('description', '')}\n\n"
        "**Served by dayzero-mock.** Requests from this page go to the mock above, never to DayZero's "
        "production API. Press *Authorize*, paste a token below (without `Bearer `), then use "
        f"*Try it out*; the `{BUSINESS_HEADER}` header comes prefilled with a business the first token may use.\n\n"
        f"{identities_markdown(fixtures, now)}\n\n"
        "The published contract, unchanged, is at [/openapi.json](/openapi.json)."
    ).strip()
    business_id = default_business_id(fixtures, now)
    if business_id is not None:
        for item in document.get("paths", {}).values():
            for operation in item.values():
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") == "header" and parameter.get("name", "").lower() == BUSINESS_HEADER:
                        parameter["example"] = business_id
    scheme = document.get("components", {}).get("securitySchemes", {}).get("bearerAuth")
    if scheme is not None:  # the overlay's note on where the scheme comes from means nothing on this page
        scheme["description"] = "A demo token from the list above (e.g. `dz_demo_acme`), without `Bearer `."
    serve_tools(document)
    if examples is not None:
        apply_examples(document, examples)
    return document


# --- "Try it out" examples: real ids of the fixture state, bodies that work as they stand ---------


@dataclass(frozen=True)
class TryItOutExamples:
    """What the docs page prefills, taken from the live state of the default business."""

    open_period: Period  # the newest open one (the newest of all when none is open)
    closed_period: Period | None  # the newest closed one: reopen works on it
    older_closed_period: Period | None  # the one before: bulk-lock locks it
    free_month: tuple[date, date]  # a month no period covers: create period answers 201
    package_id: str | None  # the newest package, if any was made


def try_it_out_examples(ledger: Ledger, business_id: str) -> TryItOutExamples | None:
    """Examples from ``ledger``: None when the business has no period at all (nothing to aim at).

    With no open period left (all closed from this page), the newest one stands in: its changes
    then answer the contract's 400 with the reason, which is what the page should show.
    """
    periods = ledger.periods.of_business(business_id)
    if not periods:
        return None
    open_periods = [period for period in periods if period.status == "open"] or periods
    closed = sorted((p for p in periods if p.status == "closed"), key=lambda p: p.period_start, reverse=True)
    last_end = max(period.period_end for period in periods)
    start = last_end + timedelta(days=1)
    end = date(start.year + start.month // 12, start.month % 12 + 1, 1) - timedelta(days=1)
    _, packages = ledger.packages.by_created(business_id)
    return TryItOutExamples(
        open_period=max(open_periods, key=lambda p: p.period_start),
        closed_period=closed[0] if closed else None,
        older_closed_period=closed[1] if len(closed) > 1 else None,
        free_month=(start, end),
        package_id=packages[-1].id if packages else None,
    )


def _period_ids(examples: TryItOutExamples, operation_id: str) -> str:
    if operation_id == Operation.REOPEN_PERIOD and examples.closed_period is not None:
        return examples.closed_period.id
    return examples.open_period.id


def _bodies(examples: TryItOutExamples) -> dict[str, Any]:
    """Request bodies by operation."""
    open_period = examples.open_period
    locked = [p.id for p in (examples.older_closed_period,) if p is not None] or [open_period.id]
    return {
        Operation.CREATE_PACKAGE: {
            "selected_reports": ["pl", "balance_sheet", "cash_flow"],
            "period_start": open_period.period_start.isoformat(),
            "period_end": open_period.period_end.isoformat(),
            "report_format": "pdf",
        },
        Operation.CREATE_PERIOD: {
            "period_start": examples.free_month[0].isoformat(),
            "period_end": examples.free_month[1].isoformat(),
        },
        Operation.CLOSE_PERIOD: {
            "period_end": open_period.period_end.isoformat(),
            "lock_reason": "Month-end close completed",
        },
        Operation.BULK_LOCK_PERIODS: {"period_ids": locked, "lock_reason": "Quarter reviewed"},
        Operation.REOPEN_PERIOD: {"reopen_reason": "Late vendor invoice needs an accrual"},
        Operation.ACKNOWLEDGE_CHECKLIST_STEP: {"notes": "Tied out to the trial balance"},
        Operation.CREATE_SIGN_OFF: {"role": "preparer", "notes": "Prepared for review"},
    }


def apply_examples(document: dict[str, Any], examples: TryItOutExamples) -> None:
    """Put the examples on every operation's path and query parameters and JSON bodies."""
    bodies = _bodies(examples)
    for item in document.get("paths", {}).values():
        for operation in item.values():
            operation_id = operation.get("operationId", "")
            for parameter in operation.get("parameters", []):
                name, where = parameter.get("name"), parameter.get("in")
                if where == "path" and name == "period_id":
                    parameter["example"] = _period_ids(examples, operation_id)
                elif where == "path" and name == "package_id":
                    if examples.package_id is not None:
                        parameter["example"] = examples.package_id
                    else:
                        parameter["description"] = (
                            f"{parameter.get('description', '')} No package yet: create one with "
                            f"{Operation.CREATE_PACKAGE.route}, then reload this page and its id is filled in here."
                        ).strip()
                elif where == "path" and name == "step_id":
                    parameter["example"] = "trial_balance_review"
                elif where == "query" and name == "role":
                    parameter["example"] = "preparer"
            body = bodies.get(operation_id)
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None and content is not None:
                content["example"] = body
                content.pop("examples", None)


class DocsDocuments:
    """Renders the docs document per server URL and examples (a page is reached on few URLs, and
    the examples change only when a package is made or a period changes state)."""

    def __init__(
        self,
        effective: Mapping[str, Any],
        fixtures: Fixtures,
        now: float,
        public_url: str = "",
        ledger: Callable[[], Ledger] | None = None,
    ) -> None:
        self._effective = effective
        self._fixtures = fixtures
        self._now = now
        self._public_url = public_url.rstrip("/")
        self._ledger = ledger
        self._rendered: dict[tuple[str, TryItOutExamples | None], str] = {}

    def json_text(self, request_origin: str) -> str:
        """The document as JSON text, aimed at ``--public-url`` or else the origin the request came to."""
        server_url = self._public_url or request_origin.rstrip("/")
        business_id = default_business_id(self._fixtures, self._now)
        examples = (
            try_it_out_examples(self._ledger(), business_id)
            if self._ledger is not None and business_id is not None
            else None
        )
        key = (server_url, examples)
        if key not in self._rendered:
            if len(self._rendered) >= 16:  # Host headers are the client's to choose: keep the cache bounded.
                self._rendered.clear()
            document = docs_document(self._effective, server_url, self._fixtures, self._now, examples)
            self._rendered[key] = json.dumps(document, separators=(",", ":"))
        return self._rendered[key]
