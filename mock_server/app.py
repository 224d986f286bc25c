"""``create_app(settings)``: the connexion application of the mock, wired in one place."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import connexion
import yaml
from connexion import AsyncApp
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.requests import Request
from starlette.responses import Response

from dayzero_mock_kit.openapi import load_contract
from dayzero_mock_kit.openapi.operations import OperationTable
from mock_server.bending.faults import FaultLayer, FaultSwitches
from mock_server.bending.sessions import SessionClock, Sessions, entered
from mock_server.bending.steering import SteeringSettings, declared_statuses
from mock_server.control.api import ControlApi
from mock_server.control.console import Console
from mock_server.control.journal import Journal
from mock_server.domain.identities import load_fixtures
from mock_server.domain.state import Ledger
from mock_server.edge.direct_app import DirectAsyncApp
from mock_server.edge.docs_document import DocsDocuments
from mock_server.edge.download_links import DOWNLOAD_PREFIX, LinkRefused, LinkSigner
from mock_server.edge.errors import install_error_handlers
from mock_server.edge.generations import ReplyWriter
from mock_server.edge.home_page import home_page
from mock_server.edge.json_responses import json_body, json_text
from mock_server.edge.pipeline import request_path
from mock_server.edge.request_validation import (
    bodyless_operations,
    compile_request_models,
    make_validator_map,
)
from mock_server.edge.spec30 import downgrade
from mock_server.handlers import contract_handlers
from mock_server.handlers.accounting_periods import AccountingPeriodsApi
from mock_server.handlers.month_end_packages import MonthEndPackagesApi
from mock_server.listing.cursors import CursorCodec
from mock_server.persistence import open_store
from mock_server.persistence.replica import Replica
from mock_server.reports.builds import ArchiveBuilds
from mock_server.settings import Settings


def _swagger_ui_dir() -> str:
    """Swagger UI 5 (renders OpenAPI 3.1), from the swagger-ui-bundle-v2 distribution."""
    import swagger_ui_bundle

    vendor = Path(swagger_ui_bundle.__file__).with_name("vendor")
    candidates = sorted(vendor.glob("swagger-ui-5*"))
    if not candidates:
        raise RuntimeError("Swagger UI 5 is missing: install swagger-ui-bundle-v2.")
    return str(candidates[-1])


class MockRuntime:
    """The mock's live state: shared, or the current request's session's (``sessions.py``).

    ``ledger`` and ``clock`` always name the current session's; components hold ``clock`` (a
    SessionClock) and read ``ledger`` on every call.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.fixtures = load_fixtures(settings.fixtures_path)
        self.faults = FaultSwitches(settings.faults)
        self.steering = SteeringSettings(settings.latency_ms, settings.chaos)
        self.store = open_store(settings.store)
        self.replica = Replica(
            self.store,
            fixtures=self.fixtures,
            seed=settings.seed,
            frozen_at=settings.clock_start() if settings.clock == "frozen" else None,
            clock_offset=settings.clock_start().timestamp() - time.time()
            if settings.now and settings.clock == "real"
            else 0.0,
            faults=self.faults,
            steering=self.steering,
            # Its own connection for the reads that bring each request up to date.
            reader=open_store(settings.store) if self.store.shared else None,
        )
        self.sessions = Sessions(
            self.replica, idle_seconds=settings.session_idle_seconds, max_sessions=settings.max_sessions
        )
        self.replica.attach(self.sessions)
        self.clock = SessionClock(lambda: self.sessions)

    @property
    def ledger(self) -> Ledger:
        return self.sessions.current().ledger

    def reset(self) -> None:
        self.sessions.reset_current()


def create_app(settings: Settings | None = None) -> AsyncApp:
    """The mock server as an ASGI app (run it with uvicorn, or call it through httpx)."""
    settings = settings or Settings()
    contract = load_contract(settings.generation)
    runtime = MockRuntime(settings)
    extensions = contract.extensions
    faults = FaultLayer(
        runtime.faults,
        ledger=lambda: runtime.ledger,
        clock=runtime.clock,
        business_ids=lambda: list(runtime.fixtures.businesses),
    )
    archives = faults.archives(ArchiveBuilds())
    secret = runtime.replica.shared_secret(settings.secret)
    links = LinkSigner(secret, _link_base(settings), settings.download_url_seconds, session=Sessions.current_name)
    codec = CursorCodec(secret)
    packages_api = MonthEndPackagesApi(
        settings=settings,
        fixtures=lambda: runtime.fixtures,
        ledger=faults.ledger,
        clock=runtime.clock,
        archives=archives,
        codec=codec,
        links=links,
        sort_columns=extensions["pagination"]["sort-columns"],
        report_keys=contract.report_keys(),
    )
    periods_api = AccountingPeriodsApi(
        settings=settings,
        ledger=faults.ledger,
        clock=runtime.clock,
        codec=codec,
        sort_columns=extensions["pagination"]["sort-columns"],
        read_only_statuses=frozenset(extensions["read-only-periods"]["statuses"]),
    )
    handlers = contract_handlers([packages_api, periods_api], ReplyWriter(settings.generation), faults)
    handlers = _writes_in_transactions(handlers, contract.bundle, runtime.replica)
    journal = Journal(settings.journal_size)
    steering = runtime.steering
    control_api = ControlApi(
        clock=runtime.clock,
        ledger=lambda: runtime.ledger,
        fixtures=lambda: runtime.fixtures,
        reset=runtime.reset,
        journal=journal,
        steering=steering,
        faults=faults.switches,
    )
    control_handlers = _writes_in_transactions(control_api.handlers(), contract.control, runtime.replica)

    operations = OperationTable(contract.bundle)

    effective = contract.effective
    validated = _with_control(effective, contract.control)
    app = DirectAsyncApp(
        __name__,
        middlewares=request_path(
            settings,
            store=runtime.store,
            replica=runtime.replica,
            journal=journal,
            steering=steering,
            declared=declared_statuses(contract.bundle),
            fixtures=runtime.fixtures,
            clock=runtime.clock,
            faults=faults,
            protected_operations=contract.operations(),
            bodyless=bodyless_operations(validated),
            operation_id=operations.operation_id,
        ),
        validator_map=make_validator_map(
            faults.request_models(validated, compile_request_models),
            validated,
            max_body_bytes=settings.max_body_bytes,
            validate_responses=settings.validate_responses,
        ),
        validate_responses=settings.validate_responses,
    )

    async def published_json(_request: Request) -> Response:
        return json_body(contract.bundle)

    async def published_yaml(_request: Request) -> Response:
        return Response(
            yaml.safe_dump(contract.bundle, sort_keys=False, allow_unicode=True), media_type="application/yaml"
        )

    console = Console()
    docs = DocsDocuments(
        effective, runtime.fixtures, runtime.clock.timestamp(), settings.public_base_url, ledger=lambda: runtime.ledger
    )

    async def effective_json(request: Request) -> Response:
        return json_text(docs.json_text(str(request.base_url)))

    async def control_json(_request: Request) -> Response:
        return json_body(contract.control)

    async def console_page(_request: Request) -> Response:
        return console.page()

    async def console_asset(request: Request) -> Response:
        return console.asset(request.path_params["name"])

    async def download_file(request: Request) -> Response:
        # A presigned URL carries no session header: the link names its session (signed).
        try:
            session = links.signed_session(request.url.path, dict(request.query_params))
        except LinkRefused as refused:
            return Response(refused.xml(), status_code=403, media_type="application/xml")
        with entered(session):
            return await serve_file(request)

    async def serve_file(request: Request) -> Response:
        now = runtime.clock.timestamp()
        try:
            links.verify(request.url.path, dict(request.query_params), now)
        except LinkRefused as refused:
            return Response(refused.xml(), status_code=403, media_type="application/xml")
        filename = request.path_params["filename"]
        content = await packages_api.signed_file(request.path_params["package_id"], filename, now)
        if content is not None:
            return Response(
                content,
                media_type="application/zip",
                headers={
                    "Content-Disposition": f'attachment; filename="{filename}"',
                    "Cache-Control": "private, max-age=0",
                },
            )
        missing = LinkRefused("NoSuchKey", "The specified key does not exist.")
        return Response(missing.xml(), status_code=404, media_type="application/xml")

    async def home(request: Request) -> Response:
        return home_page(
            settings.public_base_url or str(request.base_url), control=settings.control, generation=settings.generation
        )

    # Plain routes first: the contract API is mounted at "/" and would shadow them.
    app.add_url_rule("/", "home", home, methods=["GET"])
    app.add_url_rule("/openapi.json", "published_json", published_json, methods=["GET"])
    app.add_url_rule("/openapi.yaml", "published_yaml", published_yaml, methods=["GET"])
    app.add_url_rule("/openapi.effective.json", "effective_json", effective_json, methods=["GET"])
    app.add_url_rule(f"{DOWNLOAD_PREFIX}/{{package_id}}/{{filename}}", "download_file", download_file, methods=["GET"])
    if settings.control:
        app.add_url_rule("/__mock/openapi.json", "control_json", control_json, methods=["GET"])
        app.add_url_rule("/__mock/ui", "console", console_page, methods=["GET"])
        app.add_url_rule("/__mock/ui/{name}", "console_asset", console_asset, methods=["GET"])
        app.add_api(
            downgrade(contract.control),
            base_path="/__mock",
            resolver=Resolver(lambda operation_id: control_handlers[operation_id]),
            swagger_ui_options=SwaggerUIOptions(serve_spec=False, swagger_ui=False),
            name="control",
        )
    app.add_api(
        downgrade(contract.bundle),
        base_path="",
        resolver=Resolver(lambda operation_id: handlers[operation_id]),
        swagger_ui_options=SwaggerUIOptions(
            serve_spec=False,
            swagger_ui_path="/docs",
            spec_path="/openapi.effective.json",
            swagger_ui_template_dir=_swagger_ui_dir(),
            swagger_ui_config={
                "persistAuthorization": True,
                # Only documents whose servers are this mock: the published bundle's server is
                # DayZero's production API, and "Try it out" would send the token there.
                "urls": [
                    {"url": "/openapi.effective.json", "name": "DayZero contract, on this mock"},
                    *([{"url": "/__mock/openapi.json", "name": "Mock control API (ours)"}] if settings.control else []),
                ],
            },
        ),
        name="contract",
    )
    install_error_handlers(app, operations.methods)
    app.runtime = runtime  # type: ignore[attr-defined]  # for in-process tests
    return app


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
# record with a random id. They skip the store-wide writer lock (see stores/replica.py).
INDEPENDENT_WRITES = frozenset({"create_package_api_v1_month_end_packages_post"})


def _writes_in_transactions(
    handlers: dict[str, Callable[..., Any]], document: dict[str, Any], replica: Replica
) -> dict[str, Callable[..., Any]]:
    """Every operation that is not a GET runs in a store transaction (see stores/replica.py):
    its checks and its writes see, and leave, one state for every process; every other one
    has what it records (a package created, a score snapshot) committed before it answers."""
    writes = {
        operation["operationId"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if method != "get" and operation["operationId"] not in INDEPENDENT_WRITES
    }
    return {op: replica.transactional(h) if op in writes else replica.recorded(h) for op, h in handlers.items()}


def _with_control(effective: dict[str, Any], control: dict[str, Any]) -> dict[str, Any]:
    """One document with the control API's paths and schemas beside the contract's
    (validators find operations by operationId, so the mount point does not matter)."""
    paths = {**effective["paths"], **{f"/__mock{path}": item for path, item in control["paths"].items()}}
    schemas = {**effective["components"]["schemas"], **control["components"]["schemas"]}
    return {**effective, "paths": paths, "components": {**effective["components"], "schemas": schemas}}
