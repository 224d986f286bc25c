"""HTTP to the implementation under test: every exchange recorded, rate-limited, reproducible."""

from __future__ import annotations

import gzip
import json
import shlex
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from conformance.generation import BodyGeneration, unwrap
from conformance.settings import Identity
from dayzero_mock_kit.openapi.operations import Operation

TOKEN_PLACEHOLDER = "$DZ_TOKEN"
OTHER_TOKEN_PLACEHOLDER = "$DZ_OTHER_TOKEN"


class ToolError(Exception):
    """The kit cannot do its job (unreachable server, bad arguments); not a finding."""


# Headers of the connection or the client program, not of the request a curl line repeats.
NOT_REPEATED = {"host", "content-length", "connection", "keep-alive", "accept-encoding", "user-agent", "accept"}


@dataclass(frozen=True)
class Exchange:
    """One request and what came back: sent by a check of ``run``, or seen by the proxy or in a HAR
    file. Seen ones carry an id, a time and a duration; their headers are lower-cased and a
    gzip/deflate answer is decoded (``decoded``)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    status: int
    response_headers: dict[str, str]
    content: bytes
    generation: str = "bare"  # how the body is read (conformance.generation)
    id: str = ""  # seen traffic: x00001 (the proxy), h00001 (a HAR file's first entry)
    at: float = 0.0  # seconds since the epoch
    duration_ms: float = 0.0
    base_path: str = ""  # the API root's path on that host, when it is not "/"

    @property
    def path(self) -> str:
        """The path the contract knows (without the API root's own path)."""
        path = urlsplit(self.url).path
        return path[len(self.base_path) :] if self.base_path and path.startswith(self.base_path) else path

    @property
    def query(self) -> str:
        return urlsplit(self.url).query

    def query_items(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query, keep_blank_values=True)

    def raw_json(self) -> Any:
        """The body as sent, envelope included."""
        try:
            return json.loads(self.content)
        except ValueError:
            return None

    def json(self) -> Any:
        """The model the body carries: unwrapped from the envelope in the envelope generation."""
        return unwrap(self.generation, self.status, self.raw_json())

    def excerpt(self, limit: int = 600) -> str:
        text = self.content[:limit].decode("utf-8", "replace")
        return f"{self.status} {text}" + ("..." if len(self.content) > limit else "")

    def curl(self, secrets: dict[str, str] | None = None) -> str:
        """A curl line that repeats this request; tokens replaced by environment variables. Without
        ``secrets`` (seen traffic) the request's own bearer token is the secret, and the headers of
        the connection and the client program are left out."""
        headers = self.headers
        if secrets is None:
            headers = {k: v for k, v in headers.items() if k not in NOT_REPEATED}
            token = headers.get("authorization", "").partition(" ")[2]
            secrets = {token: TOKEN_PLACEHOLDER} if token else {}
        parts = ["curl", "-sS", "-X", self.method]
        for name, value in headers.items():
            for secret, placeholder in secrets.items():
                value = value.replace(secret, placeholder)
            parts += ["-H", f"{name}: {value}"]
        command = " ".join(shlex.quote(p) if "$DZ_" not in p else f'"{p}"' for p in parts)
        if self.body:
            command += " -d " + shlex.quote(self.body.decode("utf-8", "replace"))
        return command + " " + shlex.quote(self.url)


def decoded(body: bytes, encoding: str | None) -> bytes:
    """The body without its content encoding (gzip or deflate); unchanged when it cannot be decoded."""
    try:
        if encoding == "gzip":
            return gzip.decompress(body)
        if encoding == "deflate":
            return zlib.decompress(body)
    except (OSError, zlib.error, EOFError):
        return body
    return body


class RateLimiter:
    """At most ``per_second`` requests per second across the whole run."""

    def __init__(self, per_second: float | None) -> None:
        self._interval = 1.0 / per_second if per_second else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self._interval:
            return
        with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self._interval
        if delay > 0:
            time.sleep(delay)


class ApiClient:
    """Calls the API as one identity (or none); remembers the last exchange for findings."""

    def __init__(
        self,
        base_url: str,
        identity: Identity | None,
        limiter: RateLimiter,
        timeout: float,
        generation: BodyGeneration | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.identity = identity
        self.generation = generation or BodyGeneration("bare")
        self._limiter = limiter
        self._http = httpx.Client(timeout=timeout, follow_redirects=False)
        self.last: Exchange | None = None

    def close(self) -> None:
        self._http.close()

    def auth_headers(self) -> dict[str, str]:
        if self.identity is None:
            return {}
        return {"Authorization": f"Bearer {self.identity.token}", "x-business-id": self.identity.business_id}

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        replace_headers: bool = False,
        absolute: bool = False,
    ) -> Exchange:
        url = path if absolute else f"{self.base_url}{path}"
        sent_headers = dict(headers or {}) if replace_headers else {**self.auth_headers(), **(headers or {})}
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent_headers["Content-Type"] = "application/json"
        request = self._http.build_request(method, url, params=_clean(params), headers=sent_headers, content=body)
        self._limiter.wait()
        try:
            response = self._http.send(request)
        except httpx.TransportError as error:
            raise ToolError(f"Cannot reach {self.base_url} ({error.__class__.__name__}: {error}).") from error
        exchange = Exchange(
            method=method,
            url=str(request.url),
            headers=sent_headers,
            body=body,
            status=response.status_code,
            response_headers=dict(response.headers),
            content=response.content,
            generation=self.generation.decided,
        )
        self.last = exchange
        return exchange

    def call(self, operation: Operation, /, *, path: dict[str, str] | None = None, **kwargs: Any) -> Exchange:
        """Call one operation of the table, its path template filled from ``path``."""
        return self.request(operation.method, operation.path.format(**(path or {})), **kwargs)

    def get(self, path: str, **kwargs: Any) -> Exchange:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Exchange:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Exchange:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Exchange:
        return self.request("DELETE", path, **kwargs)


def _clean(params: dict[str, Any] | None) -> dict[str, str] | None:
    if params is None:
        return None
    cleaned = {}
    for key, value in params.items():
        if value is None:
            continue
        cleaned[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return cleaned
