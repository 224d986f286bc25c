"""The document the mock's docs page (``/docs``) loads: the effective contract, aimed at this mock.

The published bundle names one server, DayZero's production API. Swagger UI sends "Try it
out" requests to the document's ``servers`` entry, so a page loading the published bundle
would send a developer's token to production. This document (ours, served at
``/openapi.effective.json``) is the effective contract with:

- ``servers``: only the mock the page was reached on (``--public-url`` wins when set);
- the overlay's bearer scheme, so Swagger UI's Authorize button works (it ignores header
  parameters named ``Authorization``, as OpenAPI says);
- the demo identities in the description, and the business header prefilled with the first
  business the first demo token may use.

``/openapi.json`` and ``/openapi.yaml`` stay the published bundle, untouched.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from mock_server.access import BUSINESS_HEADER
from mock_server.identities import Fixtures


def identities_markdown(fixtures: Fixtures, now: float) -> str:
    """A markdown table of the fixture's tokens and the businesses each may use."""
    rows = ["| token | user | businesses |", "|---|---|---|"]
    for value, token in fixtures.tokens.items():
        expired = token.expires_at is not None and token.expires_at.timestamp() <= now
        names = ", ".join(
            f"{business.name} `{business.id}`" + ("" if business.cfo_suite else " (no CFO Suite: 403)")
            for business in fixtures.businesses.values()
            if business.id in token.user.business_ids
        )
        rows.append(f"| `{value}` | {token.user.email} | {'expired: 401' if expired else names} |")
    return "\n".join(rows)


def default_business_id(fixtures: Fixtures, now: float) -> str | None:
    """The first business with the add-on that the first usable token may act for."""
    for token in fixtures.tokens.values():
        if token.expires_at is not None and token.expires_at.timestamp() <= now:
            continue
        for business in fixtures.businesses.values():
            if business.cfo_suite and business.id in token.user.business_ids:
                return business.id
    return None


def docs_document(effective: Mapping[str, Any], server_url: str, fixtures: Fixtures, now: float) -> dict[str, Any]:
    """The effective contract aimed at ``server_url``, with the demo identities one click away."""
    document = copy.deepcopy(dict(effective))
    document["servers"] = [{"url": server_url, "description": "This mock (dayzero-mock)"}]
    info = document.setdefault("info", {})
    info["description"] = (
        f"{info.get('description', '')}\n\n"
        "**Served by dayzero-mock.** Requests from this page go to the mock above, never to DayZero's "
        "production API. Press *Authorize*, paste a token below (without `Bearer `), then use "
        f"*Try it out*; the `{BUSINESS_HEADER}` header comes prefilled with a business the first token may use.\n\n"
        f"{identities_markdown(fixtures, now)}\n\n"
        "The published contract, unchanged, is at [/openapi.json](/openapi.json)."
    ).strip()
    business_id = default_business_id(fixtures, now)
    if business_id is not None:
        for item in document.get("paths", {}).values():
            for operation in item.values():
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") == "header" and parameter.get("name", "").lower() == BUSINESS_HEADER:
                        parameter["example"] = business_id
    return document


class DocsDocuments:
    """Renders the docs document once per server URL (a page is reached on few URLs)."""

    def __init__(self, effective: Mapping[str, Any], fixtures: Fixtures, now: float, public_url: str = "") -> None:
        self._effective = effective
        self._fixtures = fixtures
        self._now = now
        self._public_url = public_url.rstrip("/")
        self._rendered: dict[str, str] = {}

    def json_text(self, request_origin: str) -> str:
        """The document as JSON text, aimed at ``--public-url`` or else the origin the request came to."""
        server_url = self._public_url or request_origin.rstrip("/")
        if server_url not in self._rendered:
            if len(self._rendered) >= 16:  # Host headers are the client's to choose: keep the cache bounded.
                self._rendered.clear()
            document = docs_document(self._effective, server_url, self._fixtures, self._now)
            self._rendered[server_url] = json.dumps(document, separators=(",", ":"))
        return self._rendered[server_url]
