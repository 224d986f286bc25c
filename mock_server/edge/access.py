"""Who is calling and for which business: 401, 422 or 403 before any handler runs.

The published slices declare ``authorization`` and ``x-business-id`` as optional header
parameters; the prose says both are required and the code enforces them (documented).
Order (ours, the same as a FastAPI dependency would give): token (401), then the business
header's shape (422), then permission for that business (403).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.domain.clock import Clock
from mock_server.domain.identities import Business, Fixtures, User
from mock_server.edge.errors import RequestValidationError, not_authenticated, not_permitted
from mock_server.edge.request_validation import pydantic_errors
from mock_server.edge.scopes import operation_id

BUSINESS_HEADER = "x-business-id"
_UUID = TypeAdapter(uuid.UUID)


@dataclass(frozen=True)
class Principal:
    """The authenticated user acting for one business."""

    user: User
    business: Business


def authorize(headers: Headers, fixtures: Fixtures, now: float, *, allow_any_business: bool = False) -> Principal:
    """The principal of a request, or the contract's 401/422/403."""
    return authorize_values(
        headers.get("authorization"), headers.get(BUSINESS_HEADER), fixtures, now, allow_any_business=allow_any_business
    )


def authorize_values(
    authorization: str | None,
    raw_business: str | None,
    fixtures: Fixtures,
    now: float,
    *,
    allow_any_business: bool = False,
) -> Principal:
    """``authorize`` given the two headers' first values (None: absent)."""
    scheme, _, token_value = (authorization or "").partition(" ")
    token = fixtures.tokens.get(token_value.strip()) if scheme.lower() == "bearer" else None
    if token is None or (token.expires_at is not None and token.expires_at.timestamp() <= now):
        raise not_authenticated()
    if raw_business is None:
        raise RequestValidationError(
            [{"type": "missing", "loc": ["header", BUSINESS_HEADER], "msg": "Field required", "input": None}]
        )
    try:
        business_id = _business_id(raw_business.strip())
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ["header", BUSINESS_HEADER]} for e in pydantic_errors(error, "header")]
        ) from None
    business = fixtures.business(business_id)
    if business is None or not business.cfo_suite:
        raise not_permitted()
    if business_id not in token.user.business_ids and not allow_any_business:
        raise not_permitted()
    return Principal(user=token.user, business=business)


@functools.lru_cache(maxsize=256)
def _business_id(text: str) -> str:
    """The header's UUID in canonical form (pydantic's ValidationError, never cached, if none)."""
    return str(_UUID.validate_python(text))


class AccessMiddleware:
    """Connexion middleware: authorizes every operation of the contract API."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        protected_operations: frozenset[str],
        fixtures: Fixtures,
        clock: Clock,
        allow_any_business: Callable[[], bool] = lambda: False,
    ) -> None:
        self.app = app
        self.protected_operations = protected_operations
        self.fixtures = fixtures
        self.clock = clock
        self.allow_any_business = allow_any_business

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and operation_id(scope) in self.protected_operations:
            principal = authorize(
                Headers(scope=scope),
                self.fixtures,
                self.clock.timestamp(),
                allow_any_business=self.allow_any_business(),
            )
            scope["extensions"].setdefault("connexion_context", {})["principal"] = principal
        await self.app(scope, receive, send)
