"""Reading an ASGI scope on the request path: the routed operation and one header, without copies."""

from __future__ import annotations

from starlette.types import Scope


def operation_id(scope: Scope) -> str | None:
    """The operationId connexion's routing put in the scope (None before routing or off-contract)."""
    return scope.get("extensions", {}).get("connexion_routing", {}).get("operation_id")


def header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of a header (``name`` lower-case, as ASGI gives them), or None."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return value
    return None
