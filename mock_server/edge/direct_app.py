"""Connexion's AsyncApp, calling each handler directly with what the layers put in the scope.

Connexion routes, authorizes and validates; then, per request, its AsyncOperation builds a
new decorator stack around the handler (``StarletteDecorator``), makes a ConnexionRequest and
inspects the handler's signature again to pick its arguments (``prep_kwargs``): about a
quarter of a list request's time on this machine (benchmarks/README.md). Every handler of the
mock takes only what the layers before it already put in the scope (``principal``, ``query``,
``payload`` in connexion's context; path parameters from the router) and returns a Starlette
Response, so the operation here reads the handler's parameter names once and passes them.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from connexion import AsyncApp
from connexion.apps.abstract import AbstractApp
from connexion.apps.asynchronous import AsyncApi, AsyncASGIApp
from connexion.operations import AbstractOperation
from starlette.responses import Response
from starlette.types import Receive, Scope, Send


class DirectOperation:
    def __init__(self, fn: Callable[..., Awaitable[Response]], operation_id: str) -> None:
        self._fn = fn
        self.operation_id = operation_id
        self._names = tuple(inspect.signature(fn).parameters)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        context: dict[str, Any] = scope.get("extensions", {}).get("connexion_context", {})
        path: dict[str, Any] = scope.get("path_params", {})
        kwargs = {name: context[name] if name in context else path.get(name) for name in self._names}
        response = await self._fn(**kwargs)
        await response(scope, receive, send)


class DirectApi(AsyncApi):
    def make_operation(self, operation: AbstractOperation) -> DirectOperation:  # type: ignore[override]
        return DirectOperation(operation.function, operation.operation_id)


class DirectASGIApp(AsyncASGIApp):
    api_cls = DirectApi  # type: ignore[assignment]


class DirectAsyncApp(AsyncApp):
    def __init__(self, import_name: str, **kwargs: Any) -> None:
        # What AsyncApp.__init__ does, with DirectASGIApp as the innermost app.
        self._middleware_app = DirectASGIApp()
        AbstractApp.__init__(self, import_name, **kwargs)
