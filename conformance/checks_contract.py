"""Contract layer: one Schemathesis run over every published operation, split into checks.

Schemathesis generates positive and negative requests from the published bundle (never the
mock's control API) and applies its built-in checks; each built-in check maps to one of our
stable IDs below. Where the contract is silent, expectations are tuned in
``schemathesis_config`` so that a correct implementation cannot fail; the reason sits next to
each setting.
"""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

from conformance.context import PACKAGES, PERIODS, CheckFailed, RunContext
from conformance.generation import unwrap
from conformance.http import ToolError
from conformance.registry import CONTRACT, MUST, SHOULD, check
from conformance.results import Finding
from dayzero_mock_kit.openapi.operations import Operation

ALL_OPERATIONS = ("all published operations",)
CREATE_OP = Operation.CREATE_PACKAGE
# Period operations that change state. On a real system a valid request could close, lock or
# reopen a real period (a generated period_end may match one; the stateful phase feeds real ids
# from list-periods), so Schemathesis sends them negative (schema-violating) data only, and its
# stateful phase leaves them out. The behaviour checks cover them on the kit's own periods.
PERIOD_WRITES = (
    Operation.CREATE_PERIOD,
    Operation.CLOSE_PERIOD,
    Operation.REOPEN_PERIOD,
    Operation.BULK_LOCK_PERIODS,
    Operation.ACKNOWLEDGE_CHECKLIST_STEP,
    Operation.CREATE_SIGN_OFF,
    Operation.DELETE_SIGN_OFF,
)
PERIOD_READS = (
    Operation.GET_PERIOD,
    Operation.CHECK_CLOSE_READINESS,
    Operation.GET_CLOSE_SCORE,
    Operation.GET_SCORE_HISTORY,
    Operation.LIST_CHECKLIST_ACKS,
)
NEGATIVE_ONLY_NOTE = (
    "Schemathesis sent only negative (schema-violating) data to the period operations that change state "
    "(create, close, reopen, bulk-lock, checklist ack, sign-off and its revocation), and its stateful phase "
    "left them out: valid requests could change real periods. The behaviour checks test them on periods the "
    "kit created itself."
)
READ_ONLY_NOTE = (
    "--read-only: Schemathesis left out every operation that writes (package create and the period operations "
    "that change state) and ran no stateful phase."
)

# Schemathesis check name -> our check ID.
CHECK_IDS = {
    "not_a_server_error": "CT-NO-SERVER-ERROR",
    "status_code_conformance": "CT-STATUS-DECLARED",
    "content_type_conformance": "CT-CONTENT-TYPE",
    "response_schema_conformance": "CT-RESPONSE-SCHEMA",
    "negative_data_rejection": "CT-NEGATIVE-REJECTED",
    "positive_data_acceptance": "CT-POSITIVE-ACCEPTED",
    "response_headers_conformance": "CT-OTHER",
    "unsupported_method": "CT-OTHER",
    "allow_header_conformance": "CT-OTHER",
    "use_after_free": "CT-STATEFUL",
    "ensure_resource_availability": "CT-STATEFUL",
    "missing_required_header": "CT-OTHER",
    "ignored_auth": "CT-OTHER",
}


def schemathesis_config(ctx: RunContext, *, stateful: bool = False) -> dict[str, Any]:
    """The Schemathesis settings of one run (same keys as schemathesis.toml).

    ``stateful``: the stateful phase alone, without the period operations that change state.
    """
    settings = ctx.settings
    full = settings.tier == "full"
    operations: list[dict[str, Any]] = [
        {
            "include-operation-id": CREATE_OP,
            # The published schema cannot express create's documented rules (supported report keys,
            # a non-empty selection, dates required without a period, start <= end, a period of this
            # business): a schema-valid body may rightly be refused with 400, 404 or 422.
            "checks": {"positive_data_acceptance": {"expected-statuses": ["201", "400", "404", "422"]}},
            "enabled": not settings.read_only,  # --read-only: never create
        },
        {
            "include-operation-id": [
                Operation.GET_PACKAGE,
                Operation.GET_DOWNLOAD_URL,
            ],
            # Any string is a schema-valid id; one that names no package of this business is 404, and a
            # package that is not ready cannot be downloaded (400, the inferred meaning of download's 400).
            "checks": {"positive_data_acceptance": {"expected-statuses": ["200", "400", "404", "422"]}},
        },
        {
            "include-operation-id": [
                Operation.LIST_PACKAGES,
                Operation.LIST_PERIODS,
            ],
            # cursor, direction and sort_by are free strings in the schema, but a cursor is opaque (only the
            # server's own page anything), direction is 'next' or 'prev' in prose, sortable columns are
            # not published: refusing other values with 400 or 422 is correct.
            "checks": {"positive_data_acceptance": {"expected-statuses": ["200", "400", "422"]}},
        },
        {
            "include-operation-id": list(PERIOD_READS),
            # Any string is a schema-valid period id; one that names no period of this business is 404.
            # score-history's limit has no published bounds; refusing a limit below 1 (inferred ge=1) is correct.
            "checks": {"positive_data_acceptance": {"expected-statuses": ["200", "201", "404", "422"]}},
        },
        {
            "include-operation-id": list(PERIOD_WRITES),
            "generation": {"mode": "negative"},
            "enabled": not settings.read_only and not stateful,
        },
    ]
    config: dict[str, Any] = {
        "seed": settings.seed,
        "base-url": settings.base_url,
        "headers": {
            "Authorization": f"Bearer {settings.identity.token}",
            "x-business-id": settings.identity.business_id,
        },
        # Caches and the example database in the run's storage, never in the user's folder.
        "cache": {"directory": str(ctx.storage / "schemathesis")},
        "generation": {"max-examples": 40 if full else 6, "database": str(ctx.storage / "examples")},
        "phases": {
            "examples": {"enabled": not stateful},
            "coverage": {"enabled": not stateful},
            "fuzzing": {"enabled": not stateful},
            # Stateful sequences create many packages: full tier only, never with --read-only.
            "stateful": {"enabled": stateful},
        },
        "checks": {"enabled": True},
        "operations": operations,
        "request-timeout": settings.request_timeout,
    }
    if settings.rate_limit:
        config["rate-limit"] = f"{settings.rate_limit:g}/s"
    return config


@dataclass
class ContractRun:
    """Findings of the Schemathesis run, grouped by our check ID."""

    findings: dict[str, list[Finding]] = field(default_factory=dict)
    tool_errors: list[str] = field(default_factory=list)


def run_schemathesis(ctx: RunContext) -> ContractRun:
    """One run over the published bundle of the server's generation (plus a stateful one on the full tier)."""
    result = ContractRun()
    seen: set[tuple[str, str, str]] = set()
    runs = [False] + ([True] if ctx.settings.tier == "full" and not ctx.settings.read_only else [])
    for stateful in runs:
        config = SchemathesisConfig.from_dict(schemathesis_config(ctx, stateful=stateful))
        # A copy: Schemathesis changes the document it is given, and the contract is shared.
        schema = schemathesis.openapi.from_dict(copy.deepcopy(ctx.contract.bundle), config=config)
        for event in from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished):
                _collect(ctx, event, result, seen)
            elif isinstance(event, events.FatalError):
                raise ToolError(f"Schemathesis could not run: {event.exception}")
            elif isinstance(event, events.NonFatalError):
                result.tool_errors.append(f"{event.label}: {event.value}")
    ctx.notes.append(READ_ONLY_NOTE if ctx.settings.read_only else NEGATIVE_ONLY_NOTE)
    return result


def _collect(ctx: RunContext, event: events.ScenarioFinished, result: ContractRun, seen: set) -> None:
    recorder = event.recorder
    for interaction in recorder.interactions.values():
        response, request = interaction.response, interaction.request
        if response is not None and request.method == "POST" and response.status_code == 201:
            path = request.uri.split("?")[0].rstrip("/")
            with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError):
                body = unwrap(ctx.generation.decided, 201, json.loads(response.content))
                if path.endswith(PACKAGES):
                    ctx.created.append(body["package"]["id"])
                elif path.endswith(PERIODS):
                    ctx.created_periods.append(body["id"])
    for case_id, checks in recorder.checks.items():
        for node in checks:
            info = node.failure_info
            if info is None:
                continue
            failure = info.failure
            check_id = CHECK_IDS.get(node.name, "CT-OTHER")
            key = (check_id, str(failure.operation), failure.title)
            if key in seen:
                continue
            seen.add(key)
            curl = shareable_curl(info.code_sample, ctx.secrets())
            result.findings.setdefault(check_id, []).append(
                Finding(
                    message=f"{failure.code} {failure.title}",
                    expected=_expected(failure.message),
                    actual=failure.message.strip()[:800] or _answer(recorder.interactions.get(case_id)),
                    curl=curl,
                    operation=str(failure.operation or recorder.label),
                )
            )


def shareable_curl(code_sample: str, secrets: dict[str, str]) -> str:
    """Schemathesis' curl line, with the token as an environment variable that the shell expands.

    Schemathesis writes ``-H 'Authorization: [Filtered]'``; inside single quotes a placeholder
    would stay literal, so the header is rewritten in double quotes.
    """
    for secret, placeholder in secrets.items():
        code_sample = code_sample.replace(secret, placeholder)
    return code_sample.replace("'Authorization: [Filtered]'", '"Authorization: Bearer $DZ_TOKEN"')


def _answer(interaction: Any) -> str:
    """What came back, for a failure whose message is empty (a server error's is)."""
    response = getattr(interaction, "response", None)
    if response is None:
        return "no response"
    text = response.content.decode("utf-8", "replace").strip() if response.content else ""
    return f"{response.status_code} {text}"[:800].strip()


def _expected(message: str) -> str:
    for line in message.splitlines():
        if line.strip().startswith(("Expected", "Documented")):
            return line.strip()
    return "a response that conforms to the published contract"


def _contract_check(check_id: str) -> Callable[[RunContext], None]:
    def run(ctx: RunContext) -> None:
        outcome = ctx.cached("schemathesis", lambda: run_schemathesis(ctx))
        findings = outcome.findings.get(check_id, [])
        if findings:
            raise CheckFailed(findings)

    return run


CONTRACT_SOURCES = {
    "CT-NO-SERVER-ERROR": ("G/errors: client input gets a 4xx with {detail}; a 5xx is never its answer", ()),
    "CT-STATUS-DECLARED": ("published slices: each operation's responses", ("status-undeclared",)),
    "CT-CONTENT-TYPE": ("published slices: every response is application/json", ("content-type",)),
    "CT-RESPONSE-SCHEMA": ("published slices: response schemas", ("response-schema",)),
    "CT-NEGATIVE-REJECTED": (
        "published slices: request schemas; 422 HTTPValidationError",
        ("request-schema", "accepted-refusable"),
    ),
    "CT-POSITIVE-ACCEPTED": ("inferred: a schema-valid request may still break a prose rule (acceptance tuned)", ()),
    "CT-STATEFUL": ("inferred: a created package can be fetched by the id the create answer gives", ()),
    "CT-OTHER": ("inferred: Schemathesis built-ins whose expectations the contract does not state outright", ()),
}

for _id, _title, _level, _why in (
    (
        "CT-NO-SERVER-ERROR",
        "No request, valid or not, gets a 5xx",
        MUST,
        "Documented conventions: errors are 4xx bodies; 500 is never the answer to a client's input.",
    ),
    (
        "CT-STATUS-DECLARED",
        "Every status is one the operation declares",
        MUST,
        "Documented: each operation lists its responses (e.g. create: 201 400 401 403 404 422).",
    ),
    (
        "CT-CONTENT-TYPE",
        "Responses carry the documented media type",
        MUST,
        "Documented: every response body is application/json.",
    ),
    (
        "CT-RESPONSE-SCHEMA",
        "Response bodies match the published schemas",
        MUST,
        "Documented: MonthEndPackageResponse, list and download schemas, HTTPValidationError.",
    ),
    (
        "CT-NEGATIVE-REJECTED",
        "Schema-violating requests are refused",
        MUST,
        "Documented: 422 for validation errors (types, enums, bounds, required fields).",
    ),
    (
        "CT-POSITIVE-ACCEPTED",
        "Schema-valid requests are accepted",
        SHOULD,
        "Documented schemas; tuned where prose adds rules the schema cannot express (see schemathesis_config).",
    ),
    (
        "CT-STATEFUL",
        "Created resources are available, deleted ones gone",
        SHOULD,
        "Inferred: a created package can be fetched by the id the create answer gives.",
    ),
    (
        "CT-OTHER",
        "Other Schemathesis checks (headers, methods, auth)",
        SHOULD,
        "Schemathesis built-ins whose expectations the contract does not state outright.",
    ),
):
    check(
        _id,
        _title,
        level=_level,
        layer=CONTRACT,
        rationale=_why,
        source=CONTRACT_SOURCES[_id][0],
        traffic=CONTRACT_SOURCES[_id][1],
        operations=ALL_OPERATIONS,
        creates_data=False,
    )(_contract_check(_id))
