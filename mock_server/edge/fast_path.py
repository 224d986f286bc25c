"""5f. The contract's requests in one pure ASGI layer: route, access, validation, handler.

A request to one of the contract's operations would otherwise pass a dozen layers after
connexion's exception layer (Swagger UI's router, connexion's routing, steering, security,
the body-less filter, access, connexion's request validation building its validators anew,
lifespan, context, and connexion's routers again), about half of its time on this machine
(benchmarks/README.md). This layer stands right inside connexion's exception layer and does
the same steps with what was compiled once at startup: the routes in connexion's order with
Starlette's own path regexes, the request models, each handler's parameter names.

It takes a request only when the outcome cannot differ from the layers it skips: a routed
contract operation (not the control API, not HEAD), no fault switched on, no steering (no
``Prefer`` header, no latency or chaos), a JSON body for operations that take one. Every check
that fails (token, business, query, body) hands the untouched request, body included, to the
full path, which answers it with the contract's error body as before; so do the cases above.
A handler's own errors (404, 409...) rise to connexion's exception layer just outside, as
they do from the full path. Off with ``--validate-responses`` (responses are checked there).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from connexion.context import _context, _receive, _scope
from connexion.frameworks.starlette import starlettify_path
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.bending.faults import FaultLayer
from mock_server.bending.steering import SteeringSettings
from mock_server.domain.clock import Clock
from mock_server.domain.identities import Fixtures
from mock_server.edge.access import authorize_values
from mock_server.edge.errors import ApiError, RequestValidationError
from mock_server.edge.request_validation import OperationModels, parse_json_body, validated_query

ROUTING_KEY = "connexion_routing"
CONTEXT_KEY = "connexion_context"
_METHODS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True)
class Route:
    """One contract operation as connexion's router matches it."""

    method: str
    regex: re.Pattern[str]
    operation_id: str
    handler: Callable[..., Any]
    names: tuple[str, ...]  # the handler's parameters, read once
    takes_body: bool
    protected: bool


class Routes:
    """The contract's operations in connexion's routing order (the document's order; the first
    route whose path and method both match wins, as in Starlette's router)."""

    def __init__(self, routes: Iterable[Route], literal_paths: Mapping[str, str] | None = None) -> None:
        self._by_method: dict[str, list[Route]] = {}
        for route in routes:
            self._by_method.setdefault(route.method, []).append(route)
        # A path without parameters that no earlier route of its method matches: found by a
        # dict lookup, with the same result as trying the routes in order.
        self._exact: dict[tuple[str, str], Route] = {}
        for method, listed in self._by_method.items():
            for index, route in enumerate(listed):
                path = (literal_paths or {}).get(route.operation_id)
                if path is not None and not any(earlier.regex.match(path) for earlier in listed[:index]):
                    self._exact[(method, path)] = route

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        exact = self._exact.get((method, path))
        if exact is not None:
            return exact, {}
        for route in self._by_method.get(method, ()):
            found = route.regex.match(path)
            if found is not None:
                return route, found.groupdict()
        return None

    def __len__(self) -> int:
        return sum(len(routes) for routes in self._by_method.values())


def contract_routes(
    document: Mapping[str, Any],
    handlers: Mapping[str, Callable[..., Any]],
    protected: Iterable[str],
) -> Routes:
    """Routes of the operations this layer may take from the 3.0.3 rendition connexion routes
    with: only string path parameters (Starlette's ``str`` convertor, as connexion's) and JSON
    bodies; the others (none in today's contract) stay on the full path."""
    protected = frozenset(protected)
    routes = []
    literal_paths = {}
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            op_id = operation["operationId"]
            params = [*item.get("parameters", []), *operation.get("parameters", [])]
            path_types = {p.get("schema", {}).get("type", "string") for p in params if p.get("in") == "path"}
            content = set(operation.get("requestBody", {}).get("content", {}))
            if path_types - {"string"} or content - {"application/json"} or op_id not in handlers:
                continue
            regex, _, convertors = compile_path(starlettify_path(path))
            if not convertors:
                literal_paths[op_id] = path
            handler = handlers[op_id]
            routes.append(
                Route(
                    method=method.upper(),
                    regex=regex,
                    operation_id=op_id,
                    handler=handler,
                    names=tuple(inspect.signature(handler).parameters),
                    takes_body=bool(content),
                    protected=op_id in protected,
                )
            )
    return Routes(routes, literal_paths)


class _Declined(Exception):
    """The request goes down the full path."""


class FastPath:
    """The contract's requests that cannot turn out otherwise, answered in one layer."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Routes,
        models: Mapping[str, OperationModels],
        max_body_bytes: int,
        fixtures: Fixtures,
        clock: Clock,
        faults: FaultLayer,
        steering: SteeringSettings,
    ) -> None:
        self.app = app
        self.routes = routes
        self.models = models
        self.max_body_bytes = max_body_bytes
        self.fixtures = fixtures
        self.clock = clock
        self.faults = faults
        self.steering = steering

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("root_path") or self.faults.switches:
            await self.app(scope, receive, send)
            return
        steering = self.steering
        if steering.latency_ms or steering.chaos:
            await self.app(scope, receive, send)
            return
        matched = self.routes.match(scope["method"], scope["path"])
        if matched is None:
            await self.app(scope, receive, send)
            return
        route, path_params = matched
        headers = scope["headers"]
        content_type = authorization = business = None  # each header's first value, as Headers.get
        for name, value in headers:
            if name == b"prefer":
                await self.app(scope, receive, send)  # steering's to answer
                return
            if name == b"content-type":
                content_type = value if content_type is None else content_type
            elif name == b"authorization":
                authorization = value if authorization is None else authorization
            elif name == b"x-business-id":
                business = value if business is None else business
        messages: list[Message] = []
        try:
            context = self._context(route, scope, authorization, business)
            if route.takes_body:
                if content_type is not None and not _is_json(content_type):
                    raise _Declined
                raw = await self._read_body(receive, messages)
                models = self.models.get(route.operation_id)
                if models is not None and models.body is not None:
                    context["payload"] = parse_json_body(raw, models.body)
        except (_Declined, ApiError, RequestValidationError):
            await self.app(scope, _replay(messages, receive), send)
            return
        if messages:
            receive = _replay(messages, receive)
        extensions = scope.setdefault("extensions", {})
        extensions.setdefault(ROUTING_KEY, {}).update({"api_base_path": "", "operation_id": route.operation_id})
        extensions.setdefault(CONTEXT_KEY, {}).update(context)
        scope.setdefault("path_params", {}).update(path_params)
        if not route.takes_body and content_type is not None:
            # As IgnoreBodyOfBodylessOperations: the handler sees no Content-Type.
            scope = {**scope, "headers": [(n, v) for n, v in headers if n != b"content-type"]}
        _context.set(extensions[CONTEXT_KEY])
        _receive.set(receive)
        _scope.set(scope)
        context = extensions[CONTEXT_KEY]
        response = await route.handler(
            **{name: context[name] if name in context else path_params.get(name) for name in route.names}
        )
        await response(scope, receive, send)

    def _context(
        self, route: Route, scope: Scope, authorization: bytes | None, business: bytes | None
    ) -> dict[str, Any]:
        """The principal and the validated query, as the access and validation layers give them."""
        context: dict[str, Any] = {}
        if route.protected:
            context["principal"] = authorize_values(
                authorization.decode("latin-1") if authorization is not None else None,
                business.decode("latin-1") if business is not None else None,
                self.fixtures,
                self.clock.timestamp(),
            )
        models = self.models.get(route.operation_id)
        if models is not None and models.query is not None:
            context["query"] = validated_query(models.query, scope.get("query_string", b""))
        return context

    async def _read_body(self, receive: Receive, messages: list[Message]) -> bytes:
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                messages.append(message)
                raise _Declined
            messages.append(message)
            size += len(message.get("body", b""))
            if size > self.max_body_bytes:
                raise _Declined
            more = message.get("more_body", False)
        return b"".join(m.get("body", b"") for m in messages)


def _is_json(content_type: bytes) -> bool:
    return content_type.partition(b";")[0].strip().lower() == b"application/json"


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """``receive`` with the messages already read given again first."""
    if not messages:
        return receive
    pending = iter(list(messages))

    async def replayed() -> Message:
        for message in pending:
            return message
        return await receive()

    return replayed
