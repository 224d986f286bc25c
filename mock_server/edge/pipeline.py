"""The mock's request path: every layer a request passes, outermost first, in one list.

This list is the order (connexion takes it as ``middlewares=`` and wraps the handlers in it),
numbered as ARCHITECTURE.md numbers the steps: connexion's own layers (server error,
exception, Swagger UI, routing, security, validation, lifespan, context) stand where
connexion's ``default_middlewares`` put them, and the mock's layers between them. A layer that a
setting turns off is left out of the list, not skipped per request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

from mock_server.bending.faults import FaultLayer
from mock_server.bending.sessions import SessionClock, SessionMiddleware
from mock_server.bending.steering import SteeringMiddleware, SteeringSettings
from mock_server.control.guard import ControlGuard
from mock_server.control.journal import Journal, JournalMiddleware
from mock_server.domain.identities import Fixtures
from mock_server.edge.access import AccessMiddleware
from mock_server.edge.fast_path import FastPath, Routes
from mock_server.edge.health import HealthMiddleware
from mock_server.edge.request_log import RequestLogMiddleware
from mock_server.edge.request_validation import IgnoreBodyOfBodylessOperations, OperationModels
from mock_server.persistence.base import EventLog
from mock_server.persistence.replica import Replica, SyncMiddleware
from mock_server.settings import Settings

Layer = Callable[..., ASGIApp]


def request_path(
    settings: Settings,
    *,
    store: EventLog,
    replica: Replica,
    journal: Journal,
    steering: SteeringSettings,
    declared: dict[str, Any],
    fixtures: Fixtures,
    clock: SessionClock,
    faults: FaultLayer,
    protected_operations: Iterable[str],
    bodyless: Any,
    operation_id: Callable[[str, str], str | None],
    routes: Routes,
    request_models: Mapping[str, OperationModels],
) -> list[Layer]:
    """The layers, outermost first (the first one sees a request first and its answer last)."""
    control = settings.control
    layers: list[Layer | None] = [
        ServerErrorMiddleware,  # connexion: a last-resort 500 (errors.py maps every exception before it)
        # 0. Health: always on, never journaled, steered or synced.
        partial(HealthMiddleware, probe=store.head, store_url=store.url),
        # 0. Sessions: which state (ledger and clock) the rest of the request sees.
        SessionMiddleware,
        # 0. Sync: other processes' events, shared stores only.
        partial(SyncMiddleware, replica=replica) if store.shared else None,
        # 0. Journal: every answered request, for GET /__mock/requests.
        partial(JournalMiddleware, journal=journal, clock=clock, operation_id=operation_id)
        if control and settings.journal_size > 0
        else None,
        # 0. Access lines: one per request, without --quiet.
        partial(RequestLogMiddleware, operation_id=operation_id) if settings.access_log else None,
        # 1. CORS, then the control token inside it (a browser reads the 401).
        partial(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["Content-Disposition", "Content-Length", "WWW-Authenticate"],
        ),
        partial(ControlGuard, token=settings.control_token) if control and settings.control_token else None,
        # 1. connexion's exception layer: errors.py's handlers answer there.
        ExceptionMiddleware,
        # 1b. The fast path: a contract request that no fault, steering or failed check bends
        # is answered here, in one layer (the same steps as 2-5 below, compiled at startup).
        partial(
            FastPath,
            routes=routes,
            models=request_models,
            max_body_bytes=settings.max_body_bytes,
            fixtures=fixtures,
            clock=clock,
            faults=faults,
            steering=steering,
        )
        if not settings.validate_responses
        else None,
        SwaggerUIMiddleware,
        # 2. Routing (from spec30's 3.0.3 rendition), then 2b. Steering on the routed operation.
        RoutingMiddleware,
        partial(SteeringMiddleware, settings=steering, declared=declared, seed=settings.seed),
        SecurityMiddleware,
        # 3. Access: token, business, permission.
        partial(IgnoreBodyOfBodylessOperations, bodyless=bodyless),
        partial(
            AccessMiddleware,
            protected_operations=frozenset(protected_operations),
            fixtures=fixtures,
            clock=clock,
            allow_any_business=faults.allows_any_business,
        ),
        # 4. Validation (request_validation.py's validator_map), then 5. the handlers inside.
        RequestValidationMiddleware,
        ResponseValidationMiddleware,
        LifespanMiddleware,
        ContextMiddleware,
    ]
    return [layer for layer in layers if layer is not None]
