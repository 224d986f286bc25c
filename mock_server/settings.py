"""The mock server's settings, resolved once (CLI flags over env vars over defaults)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from dayzero_mock_kit.fixtures import DEFAULT_FIXTURES
from mock_server.domain.clock import parse_instant

DEFAULT_PORT = 4010


@dataclass(frozen=True)
class Settings:
    """Everything the mock needs to know, passed down from ``create_app``."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    seed: int = 20261121
    fixtures_path: Path = DEFAULT_FIXTURES
    queue_seconds: float = 3.0
    build_seconds: float = 5.0
    control: bool = True
    # The control API's bearer token ("" : none). Binding beyond loopback needs one, --no-control,
    # or allow_open_control (an explicit opt-out for one-developer containers): see control_exposure.
    control_token: str = ""
    allow_open_control: bool = False
    cors_origins: tuple[str, ...] = ("*",)
    # "real": wall-clock time plus whatever /__mock/clock/advance added.
    # "frozen": time stands still at `frozen_at` until advanced (deterministic tests).
    clock: str = "real"
    frozen_at: str = "2026-11-21T12:00:00Z"
    # --now: the mock clock starts at this instant (real: runs on from it; frozen: stands there),
    # so month-end screens can be looked at on any date. Empty: wall time (real), frozen_at (frozen).
    now: str = ""
    download_url_seconds: int = 900
    # Secret for presigned download URLs and cursors; derived from the seed when empty so
    # that URLs survive a restart with the same seed.
    signing_key: str = ""
    public_base_url: str = ""
    validate_responses: bool = False
    # One access line per request on stderr (request_log.py): on in `dayzero-mock serve` unless
    # --quiet; off for the mock in-process (tests, running_mock).
    access_log: bool = False
    max_body_bytes: int = 1_048_576
    journal_size: int = 1000  # requests kept for GET /__mock/requests (with the control API)
    # Steering (mock_server/steering.py): a seeded delay in [min, max] ms, and the share of chaos answers.
    latency_ms: tuple[int, int] | None = None
    chaos: float = 0.0
    # Isolated sessions (x-mock-session): dropped after this long idle (wall seconds), at most this many.
    session_idle_seconds: float = 3600.0
    max_sessions: int = 200
    faults: frozenset[str] = field(default_factory=frozenset)
    # Where state lives (mock_server/persistence): "memory", "sqlite:///path" or "postgresql://...".
    store: str = "memory"
    # Worker processes (above 1 only with a store several processes can share).
    workers: int = 1
    # Which generation of the docs to speak: "bare" models or the "envelope" (SuccessEnvelope_<Model>_).
    generation: str = "bare"

    def __post_init__(self) -> None:
        _check_control_exposure(self)
        if self.clock not in ("real", "frozen"):
            raise ValueError(f"clock must be 'real' or 'frozen', not {self.clock!r}.")
        if self.generation not in ("bare", "envelope"):
            raise ValueError(f"generation must be 'bare' or 'envelope', not {self.generation!r}.")
        if not 0 <= self.chaos <= 1:
            raise ValueError(f"chaos is a share of requests from 0 to 1, not {self.chaos}.")
        if self.journal_size < 0:
            raise ValueError("journal_size must not be negative.")
        if self.queue_seconds < 0 or self.build_seconds < 0:
            raise ValueError("queue_seconds and build_seconds must not be negative.")
        if self.workers < 1:
            raise ValueError("workers must be at least 1.")
        if self.workers > 1 and self.store in ("", "memory", "memory://"):
            raise ValueError(
                "--workers above 1 needs a shared store: with --store memory each worker would keep its own "
                "packages and periods. Use --store sqlite:///path/to/mock.db (one host) or --store postgresql://..."
            )

    def clock_start(self) -> datetime:
        """Where a frozen clock stands, or a real one started with --now begins."""
        return parse_instant(self.now or self.frozen_at)

    @property
    def control_exposure(self) -> str:
        """Who may call the control API: "off", "token", "loopback" (this machine) or "open"."""
        if not self.control:
            return "off"
        if self.control_token:
            return "token"
        return "loopback" if is_loopback(self.host) else "open"

    @property
    def base_url(self) -> str:
        """Where clients reach the mock (used in presigned download URLs)."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"

    @property
    def secret(self) -> bytes:
        """Key for HMAC signatures."""
        return (self.signing_key or f"dayzero-mock-{self.seed}").encode()


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_control_exposure(settings: Settings) -> None:
    """The control API resets everyone's state and switches faults on for everyone: beyond
    loopback it needs a token, unless it is switched off or left open on purpose."""
    if settings.control_exposure == "open" and not settings.allow_open_control:
        raise ValueError(
            f"--host {settings.host} reaches beyond this machine, and anyone who can reach it could reset "
            "the state or switch faults on through /__mock: add --control-token TOKEN (clients then send "
            "'Authorization: Bearer TOKEN' to /__mock), or --no-control, or --allow-open-control to "
            "leave it open on purpose."
        )
