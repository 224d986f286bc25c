"""One check per setting of ``dayzero-mock serve``: the text of a flag or a ``DAYZERO_MOCK_*``
variable in, its value out, or a ``SettingError`` whose sentence says what was expected."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from mock_server.bending.steering import parse_latency
from mock_server.domain.clock import parse_instant

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
TRUE = ("1", "true", "yes", "on")
FALSE = ("", "0", "false", "no", "off")


class SettingError(ValueError):
    """A flag or environment variable holds a value the mock cannot use."""


def port(text: str) -> int:
    value = _integer(text, "a port")
    if not 1 <= value <= 65535:
        raise SettingError(f"a port is a number from 1 to 65535, not {text}.")
    return value


def seed(text: str) -> int:
    return _integer(text, "a seed")


def seconds(text: str) -> float:
    """Durations of the lifecycle (``--queue-seconds``, ``--build-seconds``)."""
    try:
        value = float(text)
    except ValueError:
        raise SettingError(f"expected a number of seconds (e.g. 3 or 0.5), not {text!r}.") from None
    if not math.isfinite(value) or value < 0:
        raise SettingError(f"a number of seconds must be 0 or more, not {text}.")
    return value


def share(text: str) -> float:
    """``--chaos``: a share of requests."""
    try:
        value = float(text)
    except ValueError:
        raise SettingError(f"expected a share of requests from 0 to 1 (e.g. 0.05), not {text!r}.") from None
    if not 0 <= value <= 1:
        raise SettingError(f"a share of requests goes from 0 to 1 (0.05 is 5%), not {text}.")
    return value


def journal_size(text: str) -> int:
    value = _integer(text, "a number of requests")
    if value < 0:
        raise SettingError(f"the journal size is 0 (off) or more requests, not {text}.")
    return value


def workers(text: str) -> int:
    value = _integer(text, "a number of worker processes")
    if not 1 <= value <= 64:
        raise SettingError(f"workers go from 1 to 64, not {text}.")
    return value


def flag(text: str) -> bool:
    """Environment switches (``DAYZERO_MOCK_NO_CONTROL=1``)."""
    if text.strip().lower() in TRUE:
        return True
    if text.strip().lower() in FALSE:
        return False
    raise SettingError(f"expected 1/true/yes/on or 0/false/no/off, not {text!r}.")


def choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def check(text: str) -> str:
        if text not in options:
            raise SettingError(f"expected one of {', '.join(options)}, not {text!r}.")
        return text

    return check


clock = choice(("real", "frozen"))
generation = choice(("bare", "envelope"))


def log_level(text: str) -> str:
    if text.lower() not in LOG_LEVELS:
        raise SettingError(f"the log level is one of {', '.join(LOG_LEVELS)}, not {text!r}.")
    return text.lower()


def public_url(text: str) -> str:
    """Where clients reach the mock: ``http(s)://host[:port][/path]``, or empty (its own address)."""
    if not text:
        return ""
    parts = urlsplit(text)
    try:
        parts.port  # noqa: B018  # raises on a port that is not a number or out of range
    except ValueError:
        raise SettingError(f"the public URL {text!r} has an invalid port.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingError(f"the public URL must look like http://host:port or https://host/path, not {text!r}.")
    if parts.query or parts.fragment:
        raise SettingError(f"the public URL is a base URL, without ?query or #fragment: {text!r}.")
    return text


def cors_origin(text: str) -> str:
    """A browser origin: ``*`` or ``scheme://host[:port]`` (no path, as browsers send it)."""
    if text == "*" or re.fullmatch(r"https?://[^/\s:]+(:\d{1,5})?", text):
        return text
    raise SettingError(f"an origin looks like http://localhost:3000 (no path), or * for any; not {text!r}.")


def host(text: str) -> str:
    if not text.strip() or any(c.isspace() for c in text):
        raise SettingError(f"expected an address to listen on (127.0.0.1, 0.0.0.0, ::1, localhost), not {text!r}.")
    return text


def instant(text: str) -> str:
    """A moment in ISO 8601 (``2026-12-01T09:00:00Z``), or empty (not set)."""
    if not text:
        return ""
    try:
        parse_instant(text)
    except ValueError:
        raise SettingError(f"expected a date-time such as 2026-12-01T09:00:00Z, not {text!r}.") from None
    return text


def latency(text: str) -> tuple[int, int] | None:
    """``--latency 50..400`` (milliseconds)."""
    try:
        return parse_latency(text)
    except ValueError as error:
        raise SettingError(str(error)) from None


def _integer(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise SettingError(f"expected {what} (a whole number), not {text!r}.") from None
