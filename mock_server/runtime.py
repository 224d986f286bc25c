"""``build_runtime(settings)``: everything the mock serves with, built once in dependency order.

Each object is made from the ones above it, so the order of the lines is the order of the
dependencies: the fixtures and the switches, the store and its replica (which holds the
sessions), the clock of the current session, the fault layer over the stores, the links and
cursors signed with the store's shared secret, the handlers, then the control API and journal.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import connexion

from dayzero_mock_kit.openapi import Contract, load_contract
from dayzero_mock_kit.openapi.operations import Operation, OperationTable
from mock_server.bending.faults import FaultLayer, FaultSwitches
from mock_server.bending.sessions import SessionClock, Sessions
from mock_server.bending.steering import SteeringSettings
from mock_server.control.api import ControlApi
from mock_server.control.journal import Journal
from mock_server.domain.identities import Fixtures, load_fixtures
from mock_server.domain.state import Ledger
from mock_server.edge.download_links import LinkSigner
from mock_server.edge.generations import ReplyWriter
from mock_server.handlers import contract_handlers
from mock_server.handlers.accounting_periods import AccountingPeriodsApi
from mock_server.handlers.month_end_packages import MonthEndPackagesApi
from mock_server.listing.cursors import CursorCodec
from mock_server.persistence import open_log
from mock_server.persistence.base import EventLog
from mock_server.persistence.replica import Replica
from mock_server.reports.builds import ArchiveBuilds
from mock_server.settings import Settings

Handlers = dict[str, Callable[..., Any]]


@dataclass(frozen=True)
class MockRuntime:
    """The mock's live parts. ``ledger`` and ``clock`` always name the current session's:
    components hold ``clock`` (a SessionClock) and ask ``sessions`` for the state on every call."""

    contract: Contract
    fixtures: Fixtures
    store: EventLog
    replica: Replica
    sessions: Sessions
    clock: SessionClock
    steering: SteeringSettings
    faults: FaultLayer
    links: LinkSigner
    packages_api: MonthEndPackagesApi
    handlers: Handlers
    journal: Journal
    control_handlers: Handlers
    operations: OperationTable

    @property
    def ledger(self) -> Ledger:
        return self.sessions.current_ledger()

    def reset(self) -> None:
        self.sessions.reset_current()


def build_runtime(settings: Settings) -> MockRuntime:
    contract = load_contract(settings.generation)
    extensions = contract.extensions
    fixtures = load_fixtures(settings.fixtures_path)
    switches = FaultSwitches(settings.faults)
    steering = SteeringSettings(settings.latency_ms, settings.chaos)
    store = open_log(settings.store)
    replica = Replica(
        store,
        fixtures=fixtures,
        seed=settings.seed,
        frozen_at=settings.clock_start() if settings.clock == "frozen" else None,
        clock_offset=settings.clock_start().timestamp() - time.time()
        if settings.now and settings.clock == "real"
        else 0.0,
        faults=switches,
        steering=steering,
        # Its own connection for the reads that bring each request up to date.
        reader=open_log(settings.store) if store.shared else None,
        idle_seconds=settings.session_idle_seconds,
        max_sessions=settings.max_sessions,
    )
    sessions = replica.sessions
    clock = SessionClock(sessions)
    faults = FaultLayer(switches, ledger=sessions.current_ledger, clock=clock, business_ids=fixtures.businesses)
    secret = replica.shared_secret(settings.secret)
    links = LinkSigner(secret, _link_base(settings), settings.download_url_seconds, session=Sessions.current_name)
    codec = CursorCodec(secret)
    sort_columns = extensions["pagination"]["sort-columns"]
    packages_api = MonthEndPackagesApi(
        settings=settings,
        fixtures=fixtures,
        ledger=faults.ledger,
        clock=clock,
        archives=faults.archives(ArchiveBuilds()),
        codec=codec,
        links=links,
        sort_columns=sort_columns,
        report_keys=contract.report_keys(),
    )
    periods_api = AccountingPeriodsApi(
        settings=settings,
        ledger=faults.ledger,
        clock=clock,
        codec=codec,
        sort_columns=sort_columns,
        read_only_statuses=frozenset(extensions["read-only-periods"]["statuses"]),
    )
    handlers = contract_handlers([packages_api, periods_api], ReplyWriter(settings.generation), faults)
    journal = Journal(settings.journal_size)
    control_api = ControlApi(
        clock=clock,
        ledger=sessions.current_ledger,
        fixtures=fixtures,
        reset=sessions.reset_current,
        journal=journal,
        steering=steering,
        faults=switches,
    )
    return MockRuntime(
        contract=contract,
        fixtures=fixtures,
        store=store,
        replica=replica,
        sessions=sessions,
        clock=clock,
        steering=steering,
        faults=faults,
        links=links,
        packages_api=packages_api,
        handlers=_writes_in_transactions(handlers, contract.bundle, replica),
        journal=journal,
        control_handlers=_writes_in_transactions(control_api.handlers(), contract.control, replica),
        operations=OperationTable(contract.bundle),
    )


def _link_base(settings: Settings) -> Callable[[], str]:
    """Where presigned download links point: ``--public-url`` when given, else the address the
    request came to (its scheme and Host header, as ``/openapi.effective.json``), so a link
    works behind ``docker run -p 8080:4010`` or a proxy that keeps the Host header."""
    if settings.public_base_url:
        return lambda: settings.base_url

    def request_origin() -> str:
        try:
            return str(connexion.request.base_url).rstrip("/")
        except RuntimeError:  # outside a request (a direct call in a test): the bind address
            return settings.base_url

    return request_origin


# Writes that check nothing another process could change meanwhile: a new package is a new
# record with a random id. They skip the store-wide writer lock (see persistence/replica.py).
INDEPENDENT_WRITES = frozenset({Operation.CREATE_PACKAGE})


def _writes_in_transactions(handlers: Handlers, document: dict[str, Any], replica: Replica) -> Handlers:
    """Every operation that is not a GET runs in a store transaction (see persistence/replica.py):
    its checks and its writes see, and leave, one state for every process; every other one
    has what it records (a package created, a score snapshot) committed before it answers."""
    writes = {
        operation["operationId"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if method != "get" and operation["operationId"] not in INDEPENDENT_WRITES
    }
    return {op: replica.transactional(h) if op in writes else replica.recorded(h) for op, h in handlers.items()}
