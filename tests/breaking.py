"""Small broken backends for the kit's tests: the correct mock behind an ASGI middleware that
breaks one documented rule, by rewriting a request before the mock sees it or an answer after.

The mock's own faults (``mock_server/bending/faults.py``) are the breaks a user can switch on;
these are the ones only the kit's tests need, kept out of the mock.
"""

from __future__ import annotations

import json
import re
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from mock_server.app import create_app
from mock_server.settings import Settings
from mock_server.testing import serving_in_thread

ROLES = ("preparer", "reviewer", "controller", "partner")
PERIOD = r"/api/v1/accounting-periods/(?P<id>[^/]+)"


@dataclass
class Call:
    """One request as the break sees it; ``body`` may be rewritten before the mock sees it."""

    method: str
    path: str
    query: str
    body: Any
    memory: dict[str, Any] = field(default_factory=dict)

    def at(self, method: str, pattern: str) -> re.Match[str] | None:
        return re.fullmatch(pattern, self.path) if self.method == method else None


Answer = tuple[int, Any] | tuple[int, Any, str]  # status, JSON body[, the Content-Type it is sent with]
OnRequest = Callable[[Call], Answer | None]  # may rewrite call.body; an Answer short-cuts the mock
OnResponse = Callable[[Call, int, Any], Answer | None]  # a new (status, body), or None to keep it


class Broken:
    """The mock with one rule broken."""

    def __init__(self, app: Any, on_request: OnRequest | None = None, on_response: OnResponse | None = None) -> None:
        self.app, self.on_request, self.on_response = app, on_request, on_response
        self.memory: dict[str, Any] = {}

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        call = Call(scope["method"], scope["path"], scope["query_string"].decode(), _json(raw), self.memory)
        answer = self.on_request(call) if self.on_request else None
        if answer is not None:
            await _send(send, *answer)
            return
        if call.body is not _UNREAD:
            raw = json.dumps(call.body).encode() if call.body is not None else raw
        headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
        headers.append((b"content-length", str(len(raw)).encode()))
        sent = False

        async def replay() -> dict:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}

        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app({**scope, "headers": headers}, replay, capture)
        body = b"".join(chunks)
        changed = self.on_response(call, start["status"], _json(body)) if self.on_response else None
        if changed is None:
            await send(start)
            await send({"type": "http.response.body", "body": body})
        else:
            await _send(send, *changed)


_UNREAD = object()


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return _UNREAD


async def _send(send: Callable, status: int, body: Any, content_type: str = "application/json") -> None:
    raw = b"" if body is None else json.dumps(body).encode()
    headers = [(b"content-type", content_type.encode())] if raw else []
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": raw})


def data(body: Any) -> Any:
    """The model of a success body in either generation."""
    return body["data"] if isinstance(body, dict) and "data" in body and "success" in body else body


@contextmanager
def broken_mock(
    on_request: OnRequest | None = None, on_response: OnResponse | None = None, **settings: Any
) -> Iterator[str]:
    """The broken mock on a free loopback port; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    mock = replace(Settings(**settings), host="127.0.0.1", port=sock.getsockname()[1])
    with serving_in_thread(Broken(create_app(mock), on_request, on_response), sock) as url:
        yield url


# -- the breaks: each breaks one documented rule (or keeps ours) ----------------------------------


def sign_off_any_role(call: Call) -> None:
    if call.at("POST", PERIOD + "/sign-offs") and isinstance(call.body, dict) and call.body.get("role") not in ROLES:
        call.body = {**call.body, "role": "partner"}


def sign_off_new_row(call: Call, status: int, body: Any) -> Answer | None:
    if call.at("POST", PERIOD + "/sign-offs") and status == 201 and isinstance(data(body), dict):
        data(body)["id"] = str(uuid.uuid4())
        return status, body
    return None


def _drop(method: str, pattern: str, name: str) -> OnRequest:
    def rewrite(call: Call) -> None:
        if call.at(method, pattern) and isinstance(call.body, dict) and name not in call.body:
            call.body = {**call.body, name: DEFAULTS[name]}

    return rewrite


DEFAULTS = {"reopen_reason": "filled in by a lenient server", "role": "reviewer", "period_ids": []}
reopen_without_reason = _drop("POST", PERIOD + "/reopen", "reopen_reason")
sign_off_without_role = _drop("POST", PERIOD + "/sign-offs", "role")


def revoke_without_role(call: Call) -> Answer | None:
    if call.at("DELETE", PERIOD + "/sign-offs") and "role=" not in call.query:
        return 204, None
    return None


def _remember_locked(call: Call, status: int, body: Any) -> None:
    if call.at("POST", r"/api/v1/accounting-periods/bulk-lock") and status == 201:
        call.memory.setdefault("locked", set()).update(data(body).get("locked_ids") or [])


def reopen_refuses_locked(call: Call, status: int, body: Any) -> Answer | None:
    _remember_locked(call, status, body)
    match = call.at("POST", PERIOD + "/reopen")
    if match and match["id"] in call.memory.get("locked", set()):
        return 400, {"detail": "A locked period cannot be reopened"}
    return None


def force_closes_twice(call: Call, status: int, body: Any) -> Answer | None:
    forced = isinstance(call.body, dict) and call.body.get("force")
    if call.at("POST", r"/api/v1/accounting-periods/close") and forced and status >= 400:
        return 201, {"success": True, "message": "closed", "code": "CREATED", "data": {"status": "closed"}}
    return None


def bulk_lock_ignores_reason(call: Call) -> None:
    if call.at("POST", r"/api/v1/accounting-periods/bulk-lock") and isinstance(call.body, dict):
        call.body = {k: v for k, v in call.body.items() if k != "lock_reason"}


def bulk_lock_any_size(call: Call) -> None:
    if call.at("POST", r"/api/v1/accounting-periods/bulk-lock") and isinstance(call.body, dict):
        ids = call.body.get("period_ids")
        if isinstance(ids, list) and not 1 <= len(ids) <= 120:
            call.body = {**call.body, "period_ids": (ids or [str(uuid.uuid4())])[:120]}


def status_in_capitals(call: Call, status: int, body: Any) -> Answer | None:
    model = data(body)
    if not call.path.startswith("/api/v1/accounting-periods") or not isinstance(model, dict):
        return None
    for period in [model, *(model.get("items") or [])]:
        if isinstance(period, dict) and isinstance(period.get("status"), str) and "period_end" in period:
            period["status"] = period["status"].upper()
    return status, body


def score_cached(call: Call, status: int, body: Any) -> Answer | None:
    match = call.at("GET", PERIOD + "/close-score")
    if match and status == 200:
        cached = call.memory.setdefault("scores", {}).setdefault(match["id"], body)
        return status, cached
    return None


def score_without_components(call: Call, status: int, body: Any) -> Answer | None:
    if call.at("GET", PERIOD + "/close-score") and status == 200 and isinstance(data(body), dict):
        data(body).pop("components", None)
        return status, body
    return None


def remember_shut(call: Call, status: int, body: Any) -> None:
    """Which periods the answers closed, locked or reopened (for ``refuses_closed_period_writes``)."""
    shut: set[str] = call.memory.setdefault("shut", set())
    if call.at("POST", r"/api/v1/accounting-periods/close") and status == 201:
        shut.add(data(body)["id"])
    if call.at("POST", r"/api/v1/accounting-periods/bulk-lock") and status == 201:
        shut.update(data(body).get("locked_ids") or [])
    match = call.at("POST", PERIOD + "/reopen")
    if match and status == 201:
        shut.discard(match["id"])


def refuses_closed_period_writes(call: Call) -> Answer | None:
    """Ours (the lead's decision for issue 15): a closed or locked period refuses acks and sign-off changes."""
    match = re.fullmatch(PERIOD + r"/(checklist-acks/[^/]+|sign-offs)", call.path)
    if match and call.method in ("PUT", "POST", "DELETE") and match["id"] in call.memory.get("shut", set()):
        return 400, {"detail": "The period is closed or locked: reopen it first."}
    return None


def readiness_item_status_odd(call: Call, status: int, body: Any) -> Answer | None:
    if call.at("POST", PERIOD + "/close-readiness") and status == 201 and isinstance(data(body), dict):
        for item in data(body).get("items") or []:
            item["status"] = "amber"
        return status, body
    return None


# -- breaks of the checks no fault of the mock proves (each check fails against its break) --------

PACKAGES = r"/api/v1/month-end-packages"


def unauthenticated_is_403(call: Call, status: int, body: Any) -> Answer | None:
    """A missing or garbage token answered 403 instead of 401."""
    return (403, {"detail": "Forbidden"}) if status == 401 else None


def no_bearer_challenge(call: Call, status: int, body: Any) -> Answer | None:
    """The 401 without its WWW-Authenticate header (an answer made here carries only Content-Type)."""
    return (status, body) if status == 401 else None


def created_period_read_back_wrong(call: Call, status: int, body: Any) -> Answer | None:
    if call.at("GET", PERIOD) and status == 200 and isinstance(data(body), dict):
        data(body)["period_end"] = "1999-12-31"
        return status, body
    return None


def workflow_id_differs(call: Call, status: int, body: Any) -> Answer | None:
    if call.at("POST", PACKAGES) and status == 201 and isinstance(data(body), dict):
        data(body)["workflow_id"] = "another-workflow"
        return status, body
    return None


def get_package_other_dates(call: Call, status: int, body: Any) -> Answer | None:
    if call.at("GET", PACKAGES + r"/[^/]+") and status == 200 and isinstance(data(body), dict):
        data(body)["period_start"] = "1999-01-01"
        return status, body
    return None


def created_packages_lost(call: Call, status: int, body: Any) -> Answer | None:
    """A package this server's create just made answers 404 on get (the create's write lost, or not yet
    visible where gets are read); the fixtures' packages still answer."""
    made: set[str] = call.memory.setdefault("made", set())
    if call.at("POST", PACKAGES) and status == 201:
        made.add(data(body)["package"]["id"])
    match = call.at("GET", PACKAGES + r"/(?P<id>[^/]+)")
    if match and match["id"] in made:
        return 404, {"detail": "Not found"}
    return None


def list_hides_new_packages(call: Call, status: int, body: Any) -> Answer | None:
    made: set[str] = call.memory.setdefault("made", set())
    if call.at("POST", PACKAGES) and status == 201:
        made.add(data(body)["package"]["id"])
    if call.at("GET", PACKAGES) and status == 200 and isinstance(data(body), dict):
        data(body)["items"] = [item for item in data(body)["items"] if item["id"] not in made]
        return status, body
    return None


def ready_without_ready_at(call: Call, status: int, body: Any) -> Answer | None:
    model = data(body)
    if (
        call.at("GET", PACKAGES + r"/[^/]+")
        and status == 200
        and isinstance(model, dict)
        and model["status"] == "ready"
    ):
        model["ready_at"] = None
        return status, body
    return None


def pages_reversed(call: Call, status: int, body: Any) -> Answer | None:
    if call.at("GET", PACKAGES) and status == 200 and isinstance(data(body), dict):
        data(body)["items"].reverse()
        return status, body
    return None


def package_dates_swapped(call: Call) -> None:
    """period_end before period_start accepted (the dates put right before the mock sees them)."""
    body = call.body
    if call.at("POST", PACKAGES) and isinstance(body, dict):
        start, end = body.get("period_start"), body.get("period_end")
        if isinstance(start, str) and isinstance(end, str) and end < start:
            call.body = {**body, "period_start": end, "period_end": start}


def validation_error_as_text(call: Call, status: int, body: Any) -> Answer | None:
    return (422, {"detail": "Validation failed"}) if status == 422 else None


def any_limit_is_a_page(call: Call) -> Answer | None:
    limit = re.search(r"(?:^|&)limit=(-?\d+)", call.query)
    if call.at("GET", PACKAGES) and limit and not 1 <= int(limit[1]) <= 1000:
        page: dict[str, Any] = {"items": [], "total": None, "limit": 50, "next_cursor": None, "prev_cursor": None}
        return 200, {**page, "has_next": False, "has_prev": False}
    return None


def unknown_period_is_400(call: Call, status: int, body: Any) -> Answer | None:
    if call.path.startswith("/api/v1/accounting-periods/") and status == 404:
        return 400, {"detail": "Bad request"}
    return None


def close_without_match_is_400(call: Call, status: int, body: Any) -> Answer | None:
    if call.at("POST", r"/api/v1/accounting-periods/close") and status == 404:
        return 400, {"detail": "Bad request"}
    return None


def revoke_gone_is_204(call: Call, status: int, body: Any) -> Answer | None:
    if call.at("DELETE", PERIOD + "/sign-offs") and status == 404:
        return 204, None
    return None


def score_above_100(call: Call, status: int, body: Any) -> Answer | None:
    if call.at("GET", PERIOD + "/close-score") and status == 200 and isinstance(data(body), dict):
        data(body)["score"] = 150
        return status, body
    return None


def any_cursor_is_a_page(call: Call, status: int, body: Any) -> Answer | None:
    """A cursor the server refused (another business's, another sort's) answered with a page anyway."""
    if call.method == "GET" and "cursor=" in call.query and status == 422:
        page: dict[str, Any] = {"items": [], "total": None, "limit": 50, "next_cursor": None, "prev_cursor": None}
        return 200, {**page, "has_next": False, "has_prev": False}
    return None


def not_found_is_418(call: Call, status: int, body: Any) -> Answer | None:
    """A status no operation declares."""
    return (418, {"detail": "I'm a teapot"}) if status == 404 else None


def package_body_off_schema(call: Call, status: int, body: Any) -> Answer | None:
    """A list page whose has_next is no boolean."""
    if call.at("GET", PACKAGES) and status == 200 and isinstance(data(body), dict):
        data(body)["has_next"] = "no"
        return status, body
    return None


def invalid_requests_accepted(call: Call, status: int, body: Any) -> Answer | None:
    """A request the schema refuses answered 2xx (the mock's own 2xx body of the operation's list)."""
    if status == 422 and call.method == "GET" and call.path == PACKAGES:
        page: dict[str, Any] = {"items": [], "total": None, "limit": 50, "next_cursor": None, "prev_cursor": None}
        return 200, {**page, "has_next": False, "has_prev": False}
    return None


def other_business_package_is_403(call: Call, status: int, body: Any) -> Answer | None:
    if call.path.startswith(PACKAGES + "/") and status == 404:
        return 403, {"detail": "Forbidden"}
    return None


def download_url_reused(call: Call, status: int, body: Any) -> Answer | None:
    """The same presigned URL on every call for a package (the contract promises a fresh one)."""
    match = call.at("GET", PACKAGES + r"/(?P<id>[^/]+)/download")
    if match and status == 200:
        return status, call.memory.setdefault("links", {}).setdefault(match["id"], body)
    return None


def revoke_answers_200_bare(call: Call, status: int, body: Any) -> Answer | None:
    return (200, {"deleted": True}) if call.at("DELETE", PERIOD + "/sign-offs") and status == 204 else None


def short_pages(call: Call, status: int, body: Any) -> Answer | None:
    """Pages hold one item fewer than the limit asked for."""
    model = data(body)
    if call.at("GET", PACKAGES) and status == 200 and isinstance(model, dict) and len(model["items"]) > 1:
        model["items"] = model["items"][:-1]
        return status, body
    return None


def validation_error_is_500(call: Call, status: int, body: Any) -> Answer | None:
    return (500, {"detail": "Internal Server Error"}) if status == 422 else None


def package_without_nulls(call: Call, status: int, body: Any) -> Answer | None:
    """A created package without the optional fields it has no value for (the contract's shapes write null)."""
    if call.at("POST", PACKAGES) and status == 201 and isinstance(data(body), dict):
        package = data(body)["package"]
        data(body)["package"] = {k: v for k, v in package.items() if v is not None}
        return status, body
    return None


def download_filename_differs(call: Call, status: int, body: Any) -> Answer | None:
    if call.at("GET", PACKAGES + r"/[^/]+/download") and status == 200 and isinstance(data(body), dict):
        data(body)["filename"] = "package.zip"
        return status, body
    return None


def lists_as_text(call: Call, status: int, body: Any) -> Answer | None:
    """A list page sent as text/plain (every answer is documented as application/json)."""
    return (status, body, "text/plain") if call.at("GET", PACKAGES) and status == 200 else None


def valid_lists_refused(call: Call, status: int, body: Any) -> Answer | None:
    """A valid list request with a query (Schemathesis' positive data) refused as if not permitted
    (400 and 422 stay tolerated there: a schema-valid query may still break a prose rule)."""
    if call.at("GET", PACKAGES) and status == 200 and call.query:
        return 403, {"detail": "Forbidden"}
    return None


def default_lock_reason_rewritten(call: Call, status: int, body: Any) -> Answer | None:
    """Periods read back without the documented default reason bulk-lock writes."""
    model = data(body)
    if call.path.startswith("/api/v1/accounting-periods") and call.method == "GET" and isinstance(model, dict):
        for period in [model, *(model.get("items") or [])]:
            if isinstance(period, dict) and period.get("lock_reason") == "Historical migration - bulk locked":
                period["lock_reason"] = "Locked"
        return status, body
    return None


def period_dates_swapped(call: Call) -> None:
    """A period ending before it starts accepted (the dates put right before the mock sees them)."""
    body = call.body
    if call.at("POST", r"/api/v1/accounting-periods") and isinstance(body, dict):
        start, end = body.get("period_start"), body.get("period_end")
        if isinstance(start, str) and isinstance(end, str) and end < start:
            call.body = {**body, "period_start": end, "period_end": start}


def reopen_open_accepted(call: Call, status: int, body: Any) -> Answer | None:
    match = call.at("POST", PERIOD + "/reopen")
    if match and status == 400:
        return 201, {"id": match["id"], "status": "open"}
    return None


def malformed_id_is_500(call: Call, status: int, body: Any) -> Answer | None:
    """An id that names no package (malformed or unknown) crashes the server."""
    if call.path.startswith(PACKAGES + "/") and status in (404, 422):
        return 500, {"detail": "Internal Server Error"}
    return None


def long_pages(call: Call, status: int, body: Any) -> Answer | None:
    """A full page with one item more than the limit (its first item again)."""
    model = data(body)
    limit = re.search(r"(?:^|&)limit=(\d+)", call.query)
    full = isinstance(model, dict) and limit and model["items"] and len(model["items"]) == int(limit[1])
    if call.at("GET", PACKAGES) and status == 200 and full:
        model["items"].append(model["items"][0])
        return status, body
    return None
