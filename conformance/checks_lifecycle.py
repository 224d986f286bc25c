"""The build lifecycle seen by polling (get-package page, CONTRACT.md: Lifecycle)."""

from __future__ import annotations

import time

from conformance.context import RunContext, instant
from conformance.documented import PACKAGE_STATUS_ORDER, SET_WHEN
from conformance.registry import BEHAVIOUR, MUST, check
from dayzero_mock_kit.openapi.operations import Operation

OPS = (Operation.CREATE_PACKAGE.route, Operation.GET_PACKAGE.route)


@check(
    "LIFECYCLE-FORWARD",
    "Status only moves forward and stays final",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=OPS,
    source="CONTRACT.md lifecycle (feature pages: queued, built by a workflow, then ready or failed)",
    traffic=("lifecycle-forward",),
    rationale="Inferred from the enum and the feature pages: queued -> in_progress -> ready | failed.",
)
def forward_only(ctx: RunContext) -> None:
    _, package = ctx.create(ctx.valid_body())
    history = ctx.poll_until_final(package["id"])
    # A finished package must stay finished: look again for a little while.
    for _ in range(4):
        time.sleep(0.4)
        exchange = ctx.client.get(Operation.GET_PACKAGE.path.format(package_id=package["id"]))
        history.append(exchange.json())
    statuses = [entry["status"] for entry in history]
    for before, after in zip(statuses, statuses[1:], strict=False):
        moved_back = PACKAGE_STATUS_ORDER[after] < PACKAGE_STATUS_ORDER[before] or (
            before in ("ready", "failed") and after != before
        )
        ctx.expect(
            not moved_back,
            "the status never goes backward",
            expected="queued -> in_progress -> ready|failed",
            actual=" -> ".join(statuses),
            exchange=ctx.client.last,
        )


@check(
    "LIFECYCLE-FIELDS",
    "Lifecycle fields are set when the status says so, in time order",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=OPS,
    source="MonthEndPackageResponse field descriptions: started_at, ready_at, filename, file_size_bytes",
    traffic=("lifecycle-fields",),
    rationale="Documented field meanings: started_at, ready_at, filename, file_size_bytes (when ready), "
    "error_message (when failed); timestamps ordered.",
)
def fields_follow_status(ctx: RunContext) -> None:
    _, package = ctx.create(ctx.valid_body())
    for entry in ctx.poll_until_final(package["id"]):
        status = entry["status"]
        problems = []
        if status == "ready":
            problems += [f"{f} is null" for f in SET_WHEN["ready"] if entry.get(f) is None]
        if status == "failed" and not entry.get("error_message"):
            problems.append("error_message is empty")
        created, updated = instant(entry["created_at"]), instant(entry["updated_at"])
        started = instant(entry["started_at"]) if entry.get("started_at") else None
        ready = instant(entry["ready_at"]) if entry.get("ready_at") else None
        if started and created > started:
            problems.append("created_at > started_at")
        if started and ready and started > ready:
            problems.append("started_at > ready_at")
        if updated < created:
            problems.append("updated_at < created_at")
        ctx.expect(
            not problems,
            f"a {status} package has consistent lifecycle fields",
            expected="ready => started_at, ready_at, filename, file_size_bytes; failed => error_message; "
            "created_at <= started_at <= ready_at; updated_at >= created_at",
            actual="; ".join(problems),
            exchange=ctx.client.last,
        )
