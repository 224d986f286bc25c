"""Creating, reading and validating packages (create-package seed page, CONTRACT.md)."""

from __future__ import annotations

from typing import Any

from conformance.context import PACKAGES, RunContext
from conformance.registry import BEHAVIOUR, MUST, SHOULD, check
from dayzero_mock_kit.openapi.operations import Operation

CREATE = (Operation.CREATE_PACKAGE.route,)
GET = (Operation.GET_PACKAGE.route,)
OPTIONAL_FIELDS = (
    "accounting_period_id",
    "selected_reports",
    "workflow_id",
    "file_size_bytes",
    "filename",
    "error_message",
    "requested_by_user_id",
    "started_at",
    "ready_at",
)


@check(
    "CREATE-GET-ROUNDTRIP",
    "Create then get returns what was submitted",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=CREATE + GET,
    source="MEP/create-package + MEP/get-package: 201 the record, get the same record",
    traffic=("package-inputs",),
    rationale="Documented: 201 returns the package record; get returns the same record (poll for progress).",
)
def create_then_get(ctx: RunContext) -> None:
    body = ctx.valid_body("xlsx")
    created_exchange, created = ctx.create(body)
    exchange = ctx.client.get(Operation.GET_PACKAGE.path.format(package_id=created["id"]))
    ctx.expect_status(exchange, {200}, "the created package can be fetched")
    fetched = exchange.json()
    submitted = {
        "selected_reports": body["selected_reports"],
        "report_format": body["report_format"],
        "period_start": body["period_start"],
        "period_end": body["period_end"],
        "business_id": ctx.settings.identity.business_id,
    }
    for source, record, ex in (("create", created, created_exchange), ("get", fetched, exchange)):
        got = {k: (record.get(k) or "")[:10] if k.startswith("period_") else record.get(k) for k in submitted}
        ctx.expect(
            got == submitted,
            f"the {source} answer echoes the request",
            expected=str(submitted),
            actual=str(got),
            exchange=ex,
        )
    ctx.expect(
        fetched["id"] == created["id"] and fetched["created_at"] == created["created_at"],
        "get returns the created package",
        expected=f"id {created['id']}",
        actual=f"id {fetched.get('id')}",
        exchange=exchange,
    )


@check(
    "CREATE-WORKFLOW-ID",
    "Top-level workflow_id equals package.workflow_id",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=CREATE,
    source="MEP/create-package: workflow_id is also on package",
    traffic=("workflow-id",),
    rationale="Documented: MonthEndPackageQueuedResponse.workflow_id is 'also on package'.",
)
def workflow_id_matches(ctx: RunContext) -> None:
    exchange, package = ctx.create(ctx.valid_body())
    top = exchange.json().get("workflow_id")
    ctx.expect(
        top == package.get("workflow_id"),
        "workflow_id is the same at both places",
        expected=f"workflow_id == package.workflow_id ({package.get('workflow_id')})",
        actual=str(top),
        exchange=exchange,
    )


@check(
    "CREATE-SHAPE",
    "A new package is queued, pdf by default, optional fields present as null",
    level=SHOULD,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=CREATE,
    source="inferred: report_format defaults to pdf; unset optional fields are written as null",
    rationale="Inferred: report_format defaults to pdf; pydantic writes unset optional fields as null.",
)
def create_shape(ctx: RunContext) -> None:
    body = ctx.valid_body()
    body.pop("report_format")
    exchange, package = ctx.create(body)
    ctx.expect(
        package.get("report_format") == "pdf",
        "report_format defaults to pdf",
        expected="pdf",
        actual=str(package.get("report_format")),
        exchange=exchange,
    )
    missing = [f for f in OPTIONAL_FIELDS if f not in package]
    ctx.expect(
        not missing,
        "every optional field is present",
        expected="all 17 fields, null when unset",
        actual=f"missing {missing}",
        exchange=exchange,
    )
    ctx.expect(
        package.get("status") in ("queued", "in_progress", "ready", "failed"),
        "status is a documented value",
        expected="queued (or later)",
        actual=str(package.get("status")),
        exchange=exchange,
    )


@check(
    "CREATE-LISTED",
    "A created package shows up in the list",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=CREATE + (Operation.LIST_PACKAGES.route,),
    source="MEP/list-packages: every package requested for the business",
    rationale="Documented: the list holds all month-end packages requested for the business.",
)
def created_is_listed(ctx: RunContext) -> None:
    _, package = ctx.create(ctx.valid_body())
    items, _, exchanges = ctx.walk(PACKAGES, {"limit": 100})
    ctx.expect(
        package["id"] in {i["id"] for i in items},
        "the new package is in the list",
        expected=f"id {package['id']} among {len(items)} items",
        actual="absent",
        exchange=exchanges[0],
    )


@check(
    "CREATE-PERIOD-DATES",
    "With accounting_period_id the package takes the period's dates",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=CREATE + (Operation.LIST_PERIODS.route,),
    source="MEP/create-package: accounting_period_id frames the package",
    traffic=("period-dates",),
    rationale="Documented: if accounting_period_id is given, the period frames the package.",
)
def period_dates(ctx: RunContext) -> None:
    periods = ctx.periods()
    if not periods:
        ctx.skip("the business has no accounting period")
    period = sorted(periods, key=lambda p: p["period_start"])[0]
    exchange, package = ctx.create(
        {"selected_reports": ctx.valid_body()["selected_reports"], "accounting_period_id": period["id"]}
    )
    got = (package["period_start"][:10], package["period_end"][:10])
    ctx.expect(
        got == (period["period_start"], period["period_end"]) and package.get("accounting_period_id") == period["id"],
        "the package covers the period's dates",
        expected=f"{period['period_start']} .. {period['period_end']} (period {period['id']})",
        actual=f"{got[0]} .. {got[1]} (period {package.get('accounting_period_id')})",
        exchange=exchange,
    )


def _refused(ctx: RunContext, body: Any, what: str) -> None:
    ctx.require_writes()
    exchange = ctx.client.post(PACKAGES, json_body=body)
    if exchange.status == 201:
        package = exchange.json()["package"]
        ctx.created.append(package["id"])
    ctx.expect_status(exchange, {400, 404, 422}, what)


@check(
    "VALIDATION-UNKNOWN-REPORT",
    "Unknown report keys are refused",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=CREATE,
    source="MEP/create-package: selected_reports description (supported values, prose only)",
    traffic=("report-keys", "accepted-refusable"),
    rationale="Documented: supported values are pl, balance_sheet, ...; anything else is invalid input (4xx).",
)
def unknown_report(ctx: RunContext) -> None:
    _refused(
        ctx,
        {**ctx.valid_body(), "selected_reports": ["pl", "profit_and_lost"]},
        "an unknown report key is refused with a declared 4xx",
    )


@check(
    "VALIDATION-DATES",
    "Bad or missing period dates are refused",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=CREATE,
    source="MEP/create-package: dates required without accounting_period_id; end not before start",
    traffic=("date-order", "accepted-refusable"),
    rationale="Documented: dates are required without accounting_period_id; a period cannot end before it starts.",
)
def bad_dates(ctx: RunContext) -> None:
    reports = ["pl"]
    _refused(
        ctx,
        {"selected_reports": reports, "period_start": "2026-01-31", "period_end": "2026-01-01"},
        "period_end before period_start is refused",
    )
    _refused(ctx, {"selected_reports": reports}, "missing dates without a period are refused")
    _refused(ctx, {"selected_reports": reports, "period_start": "2026-01-01"}, "a missing period_end is refused")


@check(
    "VALIDATION-422-SHAPE",
    "422 bodies are FastAPI's list of errors",
    level=MUST,
    layer=BEHAVIOUR,
    operations=CREATE + (Operation.LIST_PACKAGES.route,),
    source="every slice: 422 HTTPValidationError",
    traffic=("response-schema",),
    rationale="Documented: HTTPValidationError = {detail: [{loc, msg, type, ...}]}.",
)
def validation_shape(ctx: RunContext) -> None:
    exchange = ctx.client.get(PACKAGES, params={"limit": 0})
    ctx.expect_status(exchange, {422}, "limit=0 is a validation error")
    detail = (exchange.json() or {}).get("detail")
    well_formed = (
        isinstance(detail, list)
        and detail
        and all(
            isinstance(e, dict)
            and isinstance(e.get("loc"), list)
            and isinstance(e.get("msg"), str)
            and isinstance(e.get("type"), str)
            for e in detail
        )
    )
    ctx.expect(
        bool(well_formed),
        "detail is a list of {loc, msg, type}",
        expected='{"detail": [{"loc": ["query", "limit"], "msg": ..., "type": ...}]}',
        actual=exchange.excerpt(),
        exchange=exchange,
    )


@check(
    "VALIDATION-LIMIT-BOUNDS",
    "limit outside 1..1000 is refused",
    level=MUST,
    layer=BEHAVIOUR,
    operations=(Operation.LIST_PACKAGES.route, Operation.LIST_PERIODS.route),
    source="list slices: limit minimum 1, maximum 1000",
    traffic=("request-parameter", "accepted-refusable"),
    rationale="Documented: limit is an integer with minimum 1 and maximum 1000.",
)
def limit_bounds(ctx: RunContext) -> None:
    for path in (PACKAGES, Operation.LIST_PERIODS.path):
        for limit in (0, 1001, "ten"):
            exchange = ctx.client.get(path, params={"limit": limit})
            ctx.expect_status(exchange, {422}, f"limit={limit} is refused with 422")


@check(
    "VALIDATION-MALFORMED-IDS",
    "Malformed and unknown ids are a declared 4xx",
    level=MUST,
    layer=BEHAVIOUR,
    operations=GET + (Operation.GET_DOWNLOAD_URL.route,),
    source="G/errors: 404 for unknown resources, 422 for invalid parameters",
    traffic=("status-undeclared",),
    rationale="Documented: 404 for unknown resources; 422 for invalid parameters; never 2xx or 5xx.",
)
def malformed_ids(ctx: RunContext) -> None:
    for package_id in ("not-a-uuid", "00000000-0000-4000-8000-000000000000", "%00", "'; DROP TABLE x;--"):
        for operation in (Operation.GET_PACKAGE, Operation.GET_DOWNLOAD_URL):
            exchange = ctx.client.call(operation, path={"package_id": package_id})
            ctx.expect_status(exchange, {404, 422}, "an id that names no package is 404 (or 422)")
