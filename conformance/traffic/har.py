"""HAR 1.2 files: read captured traffic for offline validation, and write the proxy's own."""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.arguments import API_PREFIX
from conformance.http import Exchange, ToolError, decoded


def _headers(entries: list[dict[str, Any]]) -> dict[str, str]:
    return {str(h.get("name", "")).lower(): str(h.get("value", "")) for h in entries or [] if h.get("name")}


def _content(content: dict[str, Any]) -> bytes:
    text = content.get("text") or ""
    if content.get("encoding") == "base64":
        try:
            return base64.b64decode(text)
        except ValueError:
            return b""
    return text.encode("utf-8", "replace")


def _at(text: str) -> float:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except (ValueError, AttributeError):
        return 0.0


def read_har(path: Path, base_url: str | None = None) -> tuple[list[Exchange], list[Exchange]]:
    """The exchanges with the API's host, and those with other hosts (presigned files among them).

    The API's host is ``base_url``'s, or else the host most of the requests under the API's prefix went to.
    """
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["log"]["entries"]
    except FileNotFoundError:
        raise ToolError(f"{path} does not exist.") from None
    except (ValueError, KeyError, TypeError) as error:
        raise ToolError(f"{path} is not a HAR file (log.entries): {error}.") from None
    if base_url:
        root = urlsplit(base_url)
        host, base_path = root.netloc, root.path.rstrip("/")
    else:
        urls = [str((e.get("request") or {}).get("url", "")) for e in entries if isinstance(e, dict)]
        hosts = Counter(urlsplit(url).netloc for url in urls if API_PREFIX in url)
        if not hosts:
            raise ToolError(f"{path} has no request to an {API_PREFIX} path. Tip: give the API root with --base-url.")
        host, base_path = hosts.most_common(1)[0][0], ""
    exchanges: list[Exchange] = []
    others: list[Exchange] = []
    for index, entry in enumerate(entries, start=1):
        try:
            exchange = _exchange(index, entry, base_path)
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            raise ToolError(f"{path}: entry {index} is not a HAR entry ({type(error).__name__}: {error}).") from None
        (exchanges if urlsplit(exchange.url).netloc == host else others).append(exchange)
    return exchanges, others


def _exchange(index: int, entry: dict[str, Any], base_path: str) -> Exchange:
    request, response = entry.get("request", {}), entry.get("response", {})
    url = str(request.get("url", ""))
    response_headers = _headers(response.get("headers", []))
    return Exchange(
        id=f"h{index:05d}",
        at=_at(entry.get("startedDateTime", "")),
        method=str(request.get("method", "GET")).upper(),
        url=url,
        headers=_headers(request.get("headers", [])),
        body=str((request.get("postData") or {}).get("text", "")).encode("utf-8"),
        status=int(response.get("status", 0)),
        response_headers=response_headers,
        # HAR tools store the decoded body; a proxy's raw capture may still be compressed.
        content=decoded(_content(response.get("content", {})), response_headers.get("content-encoding")),
        duration_ms=float(entry.get("time", 0.0)),
        base_path=base_path,
    )


CREATOR = {"name": "dayzero-conformance proxy", "version": "1"}


def _har_content(body: bytes, mime: str) -> dict[str, Any]:
    try:
        return {"size": len(body), "mimeType": mime, "text": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"size": len(body), "mimeType": mime, "text": base64.b64encode(body).decode(), "encoding": "base64"}


def har_entry(exchange: Exchange) -> dict[str, Any]:
    """One HAR 1.2 entry (bodies base64 when they are not UTF-8 text)."""
    mime = exchange.response_headers.get("content-type", "")
    request: dict[str, Any] = {
        "method": exchange.method,
        "url": exchange.url,
        "httpVersion": "HTTP/1.1",
        "headers": [{"name": k, "value": v} for k, v in exchange.headers.items()],
        "queryString": [{"name": k, "value": v} for k, v in exchange.query_items()],
        "cookies": [],
        "headersSize": -1,
        "bodySize": len(exchange.body or b""),
    }
    if exchange.body:
        request["postData"] = {
            "mimeType": exchange.headers.get("content-type", ""),
            "text": exchange.body.decode("utf-8", "replace"),
        }
    return {
        "startedDateTime": datetime.fromtimestamp(exchange.at, UTC).isoformat(),
        "time": exchange.duration_ms,
        "request": request,
        "response": {
            "status": exchange.status,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            # The body is stored decoded, so its encoding header is left out.
            "headers": [
                {"name": k, "value": v} for k, v in exchange.response_headers.items() if k != "content-encoding"
            ],
            "cookies": [],
            "content": _har_content(exchange.content, mime),
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(exchange.content),
        },
        "cache": {},
        "timings": {"send": 0, "wait": exchange.duration_ms, "receive": 0},
    }


def har_document(exchanges: Iterable[Exchange]) -> dict[str, Any]:
    """A HAR 1.2 log of the exchanges."""
    return {"log": {"version": "1.2", "creator": CREATOR, "entries": [har_entry(e) for e in exchanges]}}


class HarWriter:
    """The proxy's --har, written entry by entry as exchanges happen (nothing kept in memory);
    the file is a complete HAR once ``close`` has run."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("w", encoding="utf-8")
        self._file.write('{"log": {"version": "1.2", "creator": ' + json.dumps(CREATOR) + ', "entries": [\n')
        self._first = True

    def add(self, exchange: Exchange) -> None:
        self._file.write(("" if self._first else ",\n") + json.dumps(har_entry(exchange)))
        self._first = False

    def close(self) -> None:
        if not self._file.closed:
            self._file.write("\n]}}\n")
            self._file.close()
