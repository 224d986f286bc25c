"""What the kit's arguments must look like, checked before any request: each problem is one
sentence naming the argument (the CLI exits 2 with it; the pytest plugin makes it a usage error)."""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit

from dayzero_mock_kit.openapi.operations import Operation

# Where every published operation's path starts, read from the table of operations.
API_PREFIX = os.path.commonprefix([operation.path for operation in Operation]).rpartition("/")[0] + "/"


class ArgumentProblem(ValueError):
    """An argument the kit cannot work with; the message names it."""


def business_id(flag: str, text: str | None) -> str:
    """A business UUID, as x-business-id carries it."""
    try:
        uuid.UUID(str(text).strip())
    except ValueError:
        raise ArgumentProblem(
            f"{flag} must be the business's UUID (like 11111111-1111-4111-8111-111111111111), not {text!r}."
        ) from None
    return str(text).strip()


def token(flag: str, text: str | None) -> str:
    """An API token: the part after 'Bearer ', with no spaces."""
    if not text or not text.strip():
        raise ArgumentProblem(f"{flag} is empty; give the API token (dz_...).")
    if any(ch.isspace() for ch in text):
        hint = " (give the token alone, without 'Bearer ')" if text.lower().startswith("bearer ") else ""
        raise ArgumentProblem(f"{flag} has spaces in it{hint}; a token is one word.")
    return text


def base_url(flag: str, text: str | None) -> str:
    """The API root: http(s)://host[:port][/prefix], not an API path or a page."""
    parts = urlsplit(str(text or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ArgumentProblem(f"{flag} must be an http(s) URL such as https://staging.example.com, not {text!r}.")
    segments = [s for s in parts.path.split("/") if s]
    if "api" in segments:
        root = f"{parts.scheme}://{parts.netloc}/" + "/".join(segments[: segments.index("api")])
        raise ArgumentProblem(
            f"{flag} points into the API ({parts.path}); give the API root without {API_PREFIX.rstrip('/')}, "
            f"e.g. {root.rstrip('/')}."
        )
    if parts.query or parts.fragment or "docs" in segments or (segments and "." in segments[-1]):
        raise ArgumentProblem(
            f"{flag} points at a page ({text}); give the API root, e.g. {parts.scheme}://{parts.netloc}."
        )
    return str(text).strip().rstrip("/")
