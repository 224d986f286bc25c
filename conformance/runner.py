"""Runs the selected checks against one implementation and gathers the verdict."""

from __future__ import annotations

import time
from collections.abc import Callable

from conformance import (  # noqa: F401  (they register checks)
    checks_access,
    checks_artifacts,
    checks_close,
    checks_contract,
    checks_lifecycle,
    checks_lists,
    checks_packages,
    checks_periods,
    state_machine,
)
from conformance.arguments import API_PREFIX
from conformance.baseline import Baseline
from conformance.context import PERIODS, CheckFailed, CheckSkipped, RunContext
from conformance.http import ToolError
from conformance.registry import ARTIFACTS, BEHAVIOUR, CHECKS, CONTRACT, Check
from conformance.results import ERROR, FAILED, PASSED, SKIPPED, CheckResult, Finding, RunResult
from conformance.settings import KitSettings
from conformance.storage import kit_storage

Progress = Callable[[CheckResult], None]
LAYER_ORDER = (BEHAVIOUR, ARTIFACTS, CONTRACT)  # quick, specific checks first; the long Schemathesis run last


def select_checks(settings: KitSettings) -> list[Check]:
    """The checks of the tier, narrowed by --include-check / --exclude-check."""
    unknown = sorted((settings.include | settings.exclude) - CHECKS.keys())
    if unknown:
        raise ToolError(f"Unknown check ID(s) {', '.join(unknown)}. Tip: dayzero-conformance list shows them all.")
    chosen = []
    for item in sorted(CHECKS.values(), key=lambda c: LAYER_ORDER.index(c.layer)):
        if settings.include and item.id not in settings.include:
            continue
        if not settings.include and settings.tier not in item.tiers:
            continue
        if item.id in settings.exclude:
            continue
        chosen.append(item)
    return chosen


def preflight(ctx: RunContext) -> None:
    """Refuse to start (a tool error) when the server or the identities are unusable."""
    for client, flag in ((ctx.client, "--token/--business-id"), (ctx.other, "--other-token/--other-business-id")):
        if client is None:
            continue
        exchange = client.get(PERIODS, params={"limit": 1})
        ctx.generation.detect(exchange.status, exchange.raw_json())
        if exchange.status in (401, 403):
            raise ToolError(
                f"The server refused the identity given by {flag} (status {exchange.status}). "
                "Tip: check the token and that it may use that business."
            )
        if exchange.status == 404:
            raise ToolError(
                f"{ctx.settings.base_url} has no {PERIODS}. "
                f"Tip: --base-url is the API root, without {API_PREFIX.rstrip('/')}."
            )


def run_check(ctx: RunContext, item: Check) -> CheckResult:
    started = time.monotonic()
    if item.needs_other and ctx.other is None:
        return CheckResult(item, SKIPPED, skip_reason="needs a second identity (--other-token, --other-business-id)")
    if item.creates_data and ctx.settings.read_only:
        return CheckResult(item, SKIPPED, skip_reason="creates data; skipped with --read-only")
    try:
        item.run(ctx)
        result = CheckResult(item, PASSED)
    except CheckFailed as failure:
        result = CheckResult(item, FAILED, findings=failure.findings)
    except CheckSkipped as skipped:
        result = CheckResult(item, SKIPPED, skip_reason=str(skipped))
    except ToolError:
        raise
    except Exception as error:  # the answer had a shape the check could not read
        last = ctx.client.last
        result = CheckResult(
            item,
            ERROR,
            findings=[
                Finding(
                    message=f"The check could not read the answer: {error.__class__.__name__}: {error}",
                    expected="a response in the documented shape",
                    actual=last.excerpt() if last else "(no response)",
                    curl=last.curl(ctx.secrets()) if last else "",
                    operation=f"{last.method} {last.url}" if last else "",
                )
            ],
        )
    result.duration = time.monotonic() - started
    return result


def run_conformance(settings: KitSettings, progress: Progress | None = None) -> RunResult:
    """Run the kit; raise ToolError for the tool's own problems (exit 2)."""
    started = time.monotonic()
    selected = select_checks(settings)
    baseline = Baseline.load(settings.baseline) if settings.baseline else None  # before any request
    with kit_storage(settings.cache_dir) as storage:
        ctx = RunContext(settings, storage)
        try:
            preflight(ctx)
            results = []
            for item in selected:
                result = run_check(ctx, item)
                results.append(result)
                if progress:
                    progress(result)
        finally:
            ctx.close()
    return RunResult(
        base_url=settings.base_url,
        tier=settings.tier,
        seed=settings.seed,
        results=results,
        created=list(dict.fromkeys(ctx.created)),
        created_periods=list(dict.fromkeys(ctx.created_periods)),
        duration=time.monotonic() - started,
        strict=settings.strict,
        generation=ctx.generation.describe(),
        notes=list(dict.fromkeys(ctx.notes)),
        baseline=baseline,
    )
