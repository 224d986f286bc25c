"""The mock's HTTP errors, rendered exactly as the contract publishes them.

FastAPI's shapes: ``{"detail": "<message>"}`` for every error, and for 422 the list of
pydantic v2 errors. Framework errors (connexion problems, Starlette's 404/405) are mapped
onto the same shapes so a client never sees ``application/problem+json``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from connexion import AsyncApp
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

NOT_AUTHENTICATED = "Not authenticated"
NOT_PERMITTED = "Not enough permissions"
NOT_FOUND = "Resource not found"


class ApiError(Exception):
    """An error answer with the contract's ``{"detail": ...}`` body."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


class RequestValidationError(Exception):
    """A 422 with every validation error, each a pydantic v2 error dict."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} validation error(s)")
        self.errors = errors


def not_authenticated() -> ApiError:
    return ApiError(401, NOT_AUTHENTICATED, {"WWW-Authenticate": "Bearer"})


def not_permitted() -> ApiError:
    return ApiError(403, NOT_PERMITTED)


def not_found() -> ApiError:
    return ApiError(404, NOT_FOUND)


def value_error(loc: list[str | int], message: str, value: Any) -> dict[str, Any]:
    """A pydantic-style ``value_error`` entry, as a model validator would raise it."""
    return {
        "type": "value_error",
        "loc": loc,
        "msg": f"Value error, {message}",
        "input": value,
        "ctx": {"error": message},
    }


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status,
        mimetype="application/json",
        body=json.dumps(body, separators=(",", ":")).encode(),
        headers=dict(headers or {}),
    )


async def _api_error(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, ApiError)
    return json_response(exc.status, {"detail": exc.detail}, exc.headers)


async def _validation_error(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, RequestValidationError)
    return json_response(422, {"detail": exc.errors})


async def _problem(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    # Connexion raises problems before our validators see the request; the ones that can
    # reach a client are an unsupported media type and a body it could not read. FastAPI
    # would answer both as a body that is not a JSON object: a 422 on ["body"].
    assert isinstance(exc, ProblemException)
    if exc.status in (400, 415):
        return json_response(
            422,
            {
                "detail": [
                    {
                        "type": "model_attributes_type",
                        "loc": ["body"],
                        "msg": "Input should be a valid dictionary or object to extract fields from",
                        "input": None,
                    }
                ]
            },
        )
    return json_response(exc.status, {"detail": exc.detail or exc.title or "Error"})


_log = logging.getLogger("dayzero_mock")


def _http_exception_handler(allowed_methods: Callable[[str], list[str]]) -> Callable[..., Any]:
    async def handle(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        assert isinstance(exc, HTTPException)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names only the first method of the path; list them all.
            methods = allowed_methods(request.url.path)
            if methods:
                headers["Allow"] = ", ".join(methods)
            return json_response(405, {"detail": "Method Not Allowed"}, headers)
        if exc.status_code == 404:
            return json_response(404, {"detail": "Not Found"}, headers)
        return json_response(exc.status_code, {"detail": str(exc.detail)}, headers)

    return handle


async def _unexpected(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    # Never expected (but for the cursor-500 fault): every input has a contract answer. Logged
    # with its traceback for whoever runs the mock; FastAPI-shaped all the same.
    _log.error("Unexpected error answering %s %s", request.method, request.url.path, exc_info=exc)
    return json_response(500, {"detail": "Internal Server Error"})


def install_error_handlers(app: AsyncApp, allowed_methods: Callable[[str], list[str]]) -> None:
    """Register every handler that turns exceptions into the contract's error bodies."""
    app.add_error_handler(ApiError, _api_error)
    app.add_error_handler(RequestValidationError, _validation_error)
    app.add_error_handler(ProblemException, _problem)
    app.add_error_handler(HTTPException, _http_exception_handler(allowed_methods))
    app.add_error_handler(Exception, _unexpected)
