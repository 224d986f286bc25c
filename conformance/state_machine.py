"""A Hypothesis state machine with a model of the API: random sequences of creates, gets and lists.

The model remembers what was submitted; every observation is checked against it: gets echo
the submission and never move backward in the lifecycle, and walking the list in pages (random
limit and direction) yields every created package exactly once, in created_at order.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from conformance.context import PACKAGES, RunContext, instant
from conformance.documented import PACKAGE_STATUS_ORDER
from conformance.registry import BEHAVIOUR, MUST, check
from dayzero_mock_kit.openapi.operations import Operation


def build_machine(ctx: RunContext) -> type[RuleBasedStateMachine]:
    keys = ctx.contract.report_keys()
    bodies = st.fixed_dictionaries(
        {
            "selected_reports": st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True),
            "report_format": st.sampled_from(["pdf", "xlsx"]),
            "period_start": st.sampled_from(["2025-11-01", "2026-01-01", "2026-06-01"]),
        }
    ).map(lambda b: {**b, "period_end": str(b["period_start"])[:8] + "28"})

    class PackagesMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.submitted: dict[str, dict[str, Any]] = {}
            self.last_status: dict[str, str] = {}

        @rule(body=bodies)
        def create(self, body: dict[str, Any]) -> None:
            exchange, package = ctx.create(body)
            got = {k: package.get(k) for k in ("selected_reports", "report_format")}
            ctx.expect(
                got == {k: body[k] for k in got},
                "create echoes the submission",
                expected=str(body),
                actual=str(got),
                exchange=exchange,
            )
            self.submitted[package["id"]] = body
            self.last_status[package["id"]] = package["status"]

        @rule(data=st.data())
        def get(self, data: st.DataObject) -> None:
            if not self.submitted:
                return
            package_id = data.draw(st.sampled_from(sorted(self.submitted)))
            exchange = ctx.client.get(Operation.GET_PACKAGE.path.format(package_id=package_id))
            ctx.expect_status(exchange, {200}, "a created package can be fetched")
            package = exchange.json()
            body = self.submitted[package_id]
            ctx.expect(
                package["selected_reports"] == body["selected_reports"]
                and package["period_start"][:10] == body["period_start"],
                "get returns what was submitted",
                expected=str(body),
                actual=exchange.excerpt(300),
                exchange=exchange,
            )
            before = self.last_status[package_id]
            ctx.expect(
                PACKAGE_STATUS_ORDER[package["status"]] >= PACKAGE_STATUS_ORDER[before]
                and not (before in ("ready", "failed") and package["status"] != before),
                "the status never goes backward",
                expected=f"{before} or later",
                actual=package["status"],
                exchange=exchange,
            )
            self.last_status[package_id] = package["status"]

        @rule(limit=st.integers(1, 4), descending=st.booleans())
        def walk_list(self, limit: int, descending: bool) -> None:
            items, _, exchanges = ctx.walk(PACKAGES, {"limit": limit, "descending": descending})
            ids = [item["id"] for item in items]
            ctx.expect(
                len(ids) == len(set(ids)),
                "no package appears twice across pages",
                expected="each id once",
                actual=f"{len(ids) - len(set(ids))} repeats",
                exchange=exchanges[-1],
            )
            missing = set(self.submitted) - set(ids)
            ctx.expect(
                not missing,
                "every created package is listed",
                expected=f"{len(self.submitted)} created ids",
                actual=f"missing {sorted(missing)[:3]}",
                exchange=exchanges[0],
            )
            stamps = [instant(item["created_at"]) for item in items]
            ctx.expect(
                stamps == sorted(stamps, reverse=descending),
                "pages follow created_at order",
                expected="descending" if descending else "ascending",
                actual="out of order",
                exchange=exchanges[0],
            )

        @invariant()
        def statuses_are_documented(self) -> None:
            bad = {s for s in self.last_status.values() if s not in PACKAGE_STATUS_ORDER}
            ctx.expect(
                not bad, "statuses are documented values", expected=str(sorted(PACKAGE_STATUS_ORDER)), actual=str(bad)
            )

    return PackagesMachine


@check(
    "MODEL-STATE-MACHINE",
    "Random create/get/list sequences agree with a model",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,
    tiers=frozenset({"full"}),
    operations=(
        Operation.CREATE_PACKAGE.route,
        Operation.LIST_PACKAGES.route,
        Operation.GET_PACKAGE.route,
    ),
    source="MEP/create-package, get-package, list-packages taken together",
    rationale="Documented behaviour of create, get and list taken together; reproducible (derandomized).",
)
def state_machine(ctx: RunContext) -> None:
    ctx.require_writes()
    run_state_machine_as_test(
        build_machine(ctx),
        settings=settings(
            max_examples=8,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        ),
    )
