"""One request and its answer, as the proxy or a HAR file saw them."""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from conformance.http import TOKEN_PLACEHOLDER, Exchange

# Headers of the connection or the client program, not of the request a curl line repeats.
NOT_REPEATED = {"host", "content-length", "connection", "keep-alive", "accept-encoding", "user-agent", "accept"}


@dataclass(frozen=True)
class TrafficExchange:
    """Headers are lower-cased; bodies are as sent, except that a gzip/deflate response is decoded."""

    id: str
    at: float  # seconds since the epoch
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: bytes
    status: int
    response_headers: dict[str, str]
    response_body: bytes
    duration_ms: float
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

    def curl(self) -> str:
        """A curl line that repeats the request, with the token as ``$DZ_TOKEN``."""
        headers = {k: v for k, v in self.request_headers.items() if k not in NOT_REPEATED}
        token = headers.get("authorization", "").partition(" ")[2]
        secrets = {token: TOKEN_PLACEHOLDER} if token else {}
        body = self.request_body or None
        return Exchange(self.method, self.url, headers, body, self.status, {}, b"").curl(secrets)


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
