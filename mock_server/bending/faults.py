"""Fault switches: each breaks exactly one behaviour the way a real backend might.

They exist to prove the conformance kit catches real breaks (``dayzero-mock serve --fault``,
or at run time through ``PUT /__mock/faults`` and the console). The handlers implement the
contract and know nothing of faults; every fault is written here, once, and bends the
contract from outside the handlers in one of four ways:

- **reply**: the handler's reply (its model JSON, before the generation wraps it) is
  rewritten, or its arguments are, or the handler is asked a second question;
- **state**: the handler sees its stores through a view that answers differently;
- **archive**: the zip is built from a bent spec;
- **edge**: what runs before the handlers (request models, access) is told to let more in.

Every switch is read per request, so a fault turned on at run time applies to the next
request. (A package's rendered JSON is cached per status: a ``missing-report`` switched on
after a package was first shown ready keeps the size of the zip it had then.)
"""

from __future__ import annotations

import contextvars
import copy
import functools
import json
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, cast

from dayzero_mock_kit.openapi.operations import Operation
from mock_server.domain.changes import FaultsSet, Sink, nowhere
from mock_server.domain.clock import Clock, parse_instant
from mock_server.domain.lifecycle import FAILED, IN_PROGRESS, READY
from mock_server.domain.packages import Package
from mock_server.domain.period_store import PeriodStore
from mock_server.domain.periods import Period
from mock_server.domain.state import Ledger, PackageStore
from mock_server.domain.timestamps import iso_instant
from mock_server.edge.errors import RequestValidationError, not_found
from mock_server.edge.generations import Reply
from mock_server.listing.lists import Key, sorted_entries
from mock_server.reports.archive import ArchiveSpec
from mock_server.reports.builds import ArchiveBuilds

FAULTS: dict[str, str] = {
    "skip-first-on-next-page": "pages after the first silently drop their first item",
    "ignore-status-filter": "list filters by status are ignored",
    "leak-other-business": "package lists include other businesses' packages",
    "ready-regresses": "a ready package goes back to in_progress a second later",
    "wrong-file-size": "file_size_bytes is one more than the zip's length",
    "missing-report": "the zip lacks the last selected report",
    "cursor-500": "a garbage cursor answers 500",
    "accept-unknown-reports": "unknown report keys are accepted on create",
    "has-next-on-last-page": "the last page says has_next: true",
    "total-ignores-filter": "total counts every item, not the filtered ones",
    "token-any-business": "a token is accepted on any business with the add-on",
    "ignore-period-dates": "a package created for a period gets the current month's dates",
    "period-overlap-accepted": "a period overlapping another one is created (201, not 409)",
    "period-cross-tenant": "another business's period is found by id on every period operation",
    "close-without-audit": "close leaves closed_at and closed_by_user_id empty",
    "close-twice-accepted": "closing a closed or locked period answers 201",
    "reopen-without-audit": "reopen leaves reopened_at and reopened_by_user_id empty",
    "bulk-lock-unknown-404": "bulk-lock answers 404 for an unknown id instead of skipping it",
    "bulk-lock-miscounts": "bulk-lock counts skipped periods in locked_count",
    "ack-not-idempotent": "acknowledging a step again writes a new ack (new id and created_at)",
    "score-out-of-range": "close readiness reports its score on a 0-1000 scale",
    "download-before-ready": "download hands out a URL while the package is still queued or in_progress",
    "closed-period-writable": "a closed or locked period accepts checklist acks and sign-off changes",
}

LISTS = (Operation.LIST_PACKAGES, Operation.LIST_PERIODS)
# The changes a closed or locked period refuses (the overlay's read-only-periods).
PERIOD_CHANGES = (Operation.ACKNOWLEDGE_CHECKLIST_STEP, Operation.CREATE_SIGN_OFF, Operation.DELETE_SIGN_OFF)

Handler = Callable[..., Awaitable[Reply]]
# A reply bend: (fault layer, the next handler, the handler's keyword arguments) -> the reply.
ReplyBend = Callable[["FaultLayer", Handler, dict[str, Any]], Awaitable[Reply]]

# The operation the current request runs (state bends that apply to one operation read it).
_OPERATION: contextvars.ContextVar[str | None] = contextvars.ContextVar("dayzero_fault_operation", default=None)


class UnknownFaultError(ValueError):
    """A fault name that does not exist."""


def check_faults(names: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(names)
    unknown = sorted(chosen - FAULTS.keys())
    if unknown:
        raise UnknownFaultError(f"Unknown fault(s) {', '.join(unknown)}; known: {', '.join(sorted(FAULTS))}.")
    return chosen


class FaultSwitches:
    """Which faults are on now (``--fault`` at start; the control API and console at run time)."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._on = check_faults(names)
        self._sink: Sink = nowhere  # told of every change (domain/changes.py)

    def send_changes_to(self, sink: Sink) -> None:
        self._sink = sink

    def __contains__(self, name: object) -> bool:
        return name in self._on

    def __bool__(self) -> bool:
        return bool(self._on)

    @property
    def active(self) -> frozenset[str]:
        return self._on

    def set(self, names: Iterable[str]) -> None:
        self._on = check_faults(names)
        self._sink(FaultsSet(tuple(sorted(self._on))))

    def to_json(self) -> dict[str, Any]:
        return {
            "active": sorted(self._on),
            "available": [{"name": name, "description": text} for name, text in FAULTS.items()],
        }


# -- reply bends -------------------------------------------------------------------------------


def _rewrite(reply: Reply, change: Callable[[Any], None]) -> Reply:
    """The reply with its JSON body changed in place by ``change``."""
    if reply.text is None or reply.status >= 300:
        return reply
    body = json.loads(reply.text)
    change(body)
    return Reply(json.dumps(body, separators=(",", ":")), reply.status)


def _packages_in(body: Any) -> Iterator[dict[str, Any]]:
    """The package objects of a create, get or list reply."""
    if "items" in body:
        yield from body["items"]
    elif "package" in body:
        yield body["package"]
    else:
        yield body


async def _ignore_status_filter(layer: FaultLayer, call: Handler, kwargs: dict[str, Any]) -> Reply:
    return await call(**{**kwargs, "query": {**kwargs["query"], "status": None}})


async def _total_ignores_filter(layer: FaultLayer, call: Handler, kwargs: dict[str, Any]) -> Reply:
    reply = await call(**kwargs)
    query = kwargs["query"]
    if not (query.get("include_total_count") and query.get("status")):
        return reply
    unfiltered = await call(**{**kwargs, "query": {**query, "status": None, "cursor": None}})
    total = json.loads(unfiltered.text or "{}").get("total")
    return _rewrite(reply, lambda body: body.update(total=total))


async def _skip_first_on_next_page(layer: FaultLayer, call: Handler, kwargs: dict[str, Any]) -> Reply:
    reply = await call(**kwargs)
    query = kwargs["query"]
    if not query.get("cursor") or (query.get("direction") or "next") != "next":
        return reply

    def drop_first(body: Any) -> None:
        if len(body["items"]) > 1:
            del body["items"][0]

    return _rewrite(reply, drop_first)


async def _has_next_on_last_page(layer: FaultLayer, call: Handler, kwargs: dict[str, Any]) -> Reply:
    def claim_more(body: Any) -> None:
        if body["items"] and not body["has_next"]:
            body["has_next"] = True

    return _rewrite(await call(**kwargs), claim_more)


async def _cursor_500(layer: FaultLayer, call: Handler, kwargs: dict[str, Any]) -> Reply:
    try:
        return await call(**kwargs)
    except RequestValidationError as error:
        if any(list(e.get("loc", ()))[:2] == ["query", "cursor"] for e in error.errors):
            raise RuntimeError("fault cursor-500: cannot decode cursor") from None
        raise


async def _ready_regresses(layer: FaultLayer, call: Handler, kwargs: dict[str, Any]) -> Reply:
    now = layer.clock.timestamp()

    def regress(body: Any) -> None:
        for package in _packages_in(body):
            ready_at = package.get("ready_at")
            if package.get("status") == READY and ready_at and now > parse_instant(ready_at).timestamp() + 1:
                package.update(
                    status=IN_PROGRESS, ready_at=None, filename=None, file_size_bytes=None, updated_at=iso_instant(now)
                )

    return _rewrite(await call(**kwargs), regress)


async def _wrong_file_size(layer: FaultLayer, call: Handler, kwargs: dict[str, Any]) -> Reply:
    def add_one(body: Any) -> None:
        objects = [body] if "download_url" in body else list(_packages_in(body))
        for item in objects:
            if item.get("file_size_bytes") is not None:
                item["file_size_bytes"] += 1

    return _rewrite(await call(**kwargs), add_one)


async def _close_without_audit(layer: FaultLayer, call: Handler, kwargs: dict[str, Any]) -> Reply:
    return _forget_audit(layer, await call(**kwargs), lambda p: replace(p, closed_at=None, closed_by_user_id=None))


async def _reopen_without_audit(layer: FaultLayer, call: Handler, kwargs: dict[str, Any]) -> Reply:
    return _forget_audit(layer, await call(**kwargs), lambda p: replace(p, reopened_at=None, reopened_by_user_id=None))


def _forget_audit(layer: FaultLayer, reply: Reply, forget: Callable[[Period], Period]) -> Reply:
    """The period written without who and when, in the store and in the reply."""
    if reply.text is None or reply.status >= 300:
        return reply
    store = layer.ledger().periods
    period = store.find(json.loads(reply.text)["id"])
    if period is None:
        return reply
    amended = forget(period)
    store.replace(amended)
    return Reply(amended.json_text, reply.status)


async def _bulk_lock_unknown_404(layer: FaultLayer, call: Handler, kwargs: dict[str, Any]) -> Reply:
    business_id = kwargs["principal"].business.id
    ids = kwargs["payload"].model_dump(by_alias=True)["period_ids"]
    if any(layer.ledger().periods.get(business_id, period_id) is None for period_id in ids):
        raise not_found()
    return await call(**kwargs)


async def _bulk_lock_miscounts(layer: FaultLayer, call: Handler, kwargs: dict[str, Any]) -> Reply:
    return _rewrite(
        await call(**kwargs), lambda body: body.update(locked_count=len(body["locked_ids"]) + len(body["skipped"]))
    )


async def _score_out_of_range(layer: FaultLayer, call: Handler, kwargs: dict[str, Any]) -> Reply:
    return _rewrite(await call(**kwargs), lambda body: body.update(score=body["score"] * 10))


# Faults that bend replies, and the operations they bend. The others bend state (STATE_FAULTS,
# through _PackagesView and _PeriodsView), the zip (ARCHIVE_FAULTS) or the edge (EDGE_FAULTS).
REPLY_BENDS: dict[str, tuple[tuple[str, ...], ReplyBend]] = {
    "skip-first-on-next-page": (LISTS, _skip_first_on_next_page),
    "ignore-status-filter": (LISTS, _ignore_status_filter),
    "ready-regresses": ((Operation.GET_PACKAGE, Operation.LIST_PACKAGES), _ready_regresses),
    "wrong-file-size": ((Operation.GET_PACKAGE, Operation.LIST_PACKAGES, Operation.GET_DOWNLOAD_URL), _wrong_file_size),
    "cursor-500": (LISTS, _cursor_500),
    "has-next-on-last-page": (LISTS, _has_next_on_last_page),
    "total-ignores-filter": (LISTS, _total_ignores_filter),
    "close-without-audit": ((Operation.CLOSE_PERIOD,), _close_without_audit),
    "reopen-without-audit": ((Operation.REOPEN_PERIOD,), _reopen_without_audit),
    "bulk-lock-unknown-404": ((Operation.BULK_LOCK_PERIODS,), _bulk_lock_unknown_404),
    "bulk-lock-miscounts": ((Operation.BULK_LOCK_PERIODS,), _bulk_lock_miscounts),
    "score-out-of-range": ((Operation.CHECK_CLOSE_READINESS,), _score_out_of_range),
}
ARCHIVE_FAULTS = frozenset({"missing-report"})  # _ArchivesView
EDGE_FAULTS = frozenset({"accept-unknown-reports", "token-any-business"})  # request models, access


# -- state bends -------------------------------------------------------------------------------


class _StoreView:
    """A store as a faulty backend would read it: what a subclass does not bend, the store does."""

    def __init__(self, inner: Any, layer: FaultLayer) -> None:
        self._inner = inner
        self._layer = layer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _PackagesView(_StoreView):
    _inner: PackageStore

    def by_created(self, business_id: str) -> tuple[list[Key], Sequence[Package]]:
        if "leak-other-business" not in self._layer.switches:
            return self._inner.by_created(business_id)
        everyone = [p for b in self._layer.business_ids for p in self._inner.by_created(b)[1]]
        keys, packages = sorted_entries(everyone, lambda p: (p.timeline.created_at, p.id))
        return list(keys), list(packages)

    def get(self, business_id: str, package_id: str) -> Package | None:
        package = self._inner.get(business_id, package_id)
        if (
            package is None
            or "download-before-ready" not in self._layer.switches
            or _OPERATION.get() != Operation.GET_DOWNLOAD_URL
        ):
            return package
        now = self._layer.clock.timestamp()
        if package.stage(now).status in (READY, FAILED):
            return package
        # Built already, as far as the download handler can tell.
        timeline = package.timeline
        finished = replace(timeline, created_at=now - timeline.queue_seconds - timeline.build_seconds)
        return replace(package, timeline=finished)


class _PeriodsView(_StoreView):
    _inner: PeriodStore

    def get(self, business_id: str, period_id: str) -> Period | None:
        switches = self._layer.switches
        period = self._inner.get(business_id, period_id)
        if period is None and "period-cross-tenant" in switches:
            period = self._inner.find(period_id)
        if period is not None and "closed-period-writable" in switches and _OPERATION.get() in PERIOD_CHANGES:
            period = replace(period, status="open")  # as a backend that never checks the status
        if period is not None and "ignore-period-dates" in switches and _OPERATION.get() == Operation.CREATE_PACKAGE:
            today = self._layer.clock.now().date()
            period = replace(period, period_start=today.replace(day=1), period_end=today)
        return period

    def overlapping(self, business_id: str, start: date, end: date) -> Period | None:
        if "period-overlap-accepted" in self._layer.switches:
            return None
        return self._inner.overlapping(business_id, start, end)

    def ending_on(self, business_id: str, end: date) -> Period | None:
        period = self._inner.ending_on(business_id, end)
        if period is not None and "close-twice-accepted" in self._layer.switches:
            return replace(period, status="open")  # so it can be closed again
        return period

    def acks(self, period: Period) -> dict[str, Any]:
        if "ack-not-idempotent" in self._layer.switches and _OPERATION.get() == Operation.ACKNOWLEDGE_CHECKLIST_STEP:
            return {}  # every acknowledgement looks like the first
        return self._inner.acks(period)


STATE_FAULTS = frozenset(
    {
        "leak-other-business",
        "download-before-ready",
        "period-cross-tenant",
        "ignore-period-dates",
        "period-overlap-accepted",
        "close-twice-accepted",
        "ack-not-idempotent",
        "closed-period-writable",
    }
)


class _ArchivesView:
    """Builds the zip from a spec missing its last report (``missing-report``)."""

    def __init__(self, inner: ArchiveBuilds, switches: FaultSwitches) -> None:
        self._inner = inner
        self._switches = switches

    def _bent(self, spec: ArchiveSpec) -> ArchiveSpec:
        return replace(spec, reports=spec.reports[:-1]) if "missing-report" in self._switches else spec

    def start(self, spec: ArchiveSpec) -> None:
        self._inner.start(self._bent(spec))

    def size(self, spec: ArchiveSpec) -> int:
        return self._inner.size(self._bent(spec))

    async def content(self, spec: ArchiveSpec) -> bytes:
        return await self._inner.content(self._bent(spec))


class _RequestModels(Mapping[str, Any]):
    """The request models the validators use: the contract's, or (``accept-unknown-reports``)
    the same with any report key allowed, compiled the first time that fault is on."""

    def __init__(self, strict: Mapping[str, Any], relaxed: Callable[[], Mapping[str, Any]], switches: FaultSwitches):
        self._strict = strict
        self._relaxed = functools.cache(relaxed)
        self._switches = switches

    def _now(self) -> Mapping[str, Any]:
        return self._relaxed() if "accept-unknown-reports" in self._switches else self._strict

    def __getitem__(self, key: str) -> Any:
        return self._now()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._strict)

    def __len__(self) -> int:
        return len(self._strict)


# -- the layer -----------------------------------------------------------------------------------


class FaultLayer:
    """Applies the faults switched on to the handlers, their stores, their zips and the edge."""

    def __init__(
        self,
        switches: FaultSwitches,
        *,
        ledger: Callable[[], Ledger],
        clock: Clock,
        business_ids: Iterable[str],
    ) -> None:
        self.switches = switches
        self.clock = clock
        self.business_ids = tuple(business_ids)
        self._ledger = ledger

    def ledger(self) -> Ledger:
        """The current ledger, seen through the state faults switched on."""
        ledger = self._ledger()
        if not self.switches or self.switches.active.isdisjoint(STATE_FAULTS):
            return ledger
        # Views with the stores' interface (a Ledger in all but type).
        return Ledger(
            periods=cast(PeriodStore, _PeriodsView(ledger.periods, self)),
            packages=cast(PackageStore, _PackagesView(ledger.packages, self)),
            ids=ledger.ids,
        )

    def archives(self, archives: ArchiveBuilds) -> ArchiveBuilds:
        return cast(ArchiveBuilds, _ArchivesView(archives, self.switches))

    def request_models(
        self, document: dict[str, Any], compile_models: Callable[[dict[str, Any]], Mapping[str, Any]]
    ) -> Mapping[str, Any]:
        """The request models of ``document`` as the validators should apply them now."""
        return _RequestModels(
            compile_models(document), lambda: compile_models(_without_report_enum(document)), self.switches
        )

    def allows_any_business(self) -> bool:
        return "token-any-business" in self.switches

    def wrap(self, operation_id: str, handler: Handler) -> Handler:
        """The handler with the reply faults switched on applied around it (checked per call)."""
        bends = [(name, bend) for name, (operations, bend) in REPLY_BENDS.items() if operation_id in operations]

        @functools.wraps(handler)
        async def bent(**kwargs: Any) -> Reply:
            if not self.switches:  # the request path with no fault on: the handler alone
                return await handler(**kwargs)
            token = _OPERATION.set(operation_id)
            try:
                call = handler
                for name, reply_bend in bends:
                    if name in self.switches:
                        call = self._bent(reply_bend, call)
                return await call(**kwargs)
            finally:
                _OPERATION.reset(token)

        return bent

    def _bent(self, reply_bend: ReplyBend, call: Handler) -> Handler:
        async def bent_call(**kwargs: Any) -> Reply:
            return await reply_bend(self, call, kwargs)

        return bent_call


def _without_report_enum(document: dict[str, Any]) -> dict[str, Any]:
    """The document minus the report-key enum of the create request."""
    schemas = dict(document["components"]["schemas"])
    request = copy.deepcopy(schemas["MonthEndPackageCreateRequest"])
    request["properties"]["selected_reports"]["items"].pop("enum")
    schemas["MonthEndPackageCreateRequest"] = request
    return {**document, "components": {**document["components"], "schemas": schemas}}
