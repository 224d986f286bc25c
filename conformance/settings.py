"""The kit's settings, resolved once by the CLI or the pytest plugin."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Identity:
    """A token and the business it acts for."""

    token: str
    business_id: str


@dataclass(frozen=True)
class KitSettings:
    base_url: str
    identity: Identity
    other: Identity | None = None
    tier: str = "smoke"
    seed: int = 20261121
    ready_timeout: float = 120.0
    read_only: bool = False
    rate_limit: float | None = None  # requests per second
    include: frozenset[str] = field(default_factory=frozenset)
    exclude: frozenset[str] = field(default_factory=frozenset)
    strict: bool = False
    junit: Path | None = None
    json: Path | None = None
    html: Path | None = None
    request_timeout: float = 30.0
    # Which generation of the docs the server speaks: "bare", "envelope", or "auto" (detected).
    generation: str = "auto"
    # Schemathesis' and Hypothesis' caches; None: a temporary directory removed after the run.
    cache_dir: Path | None = None
    # The --json report of an earlier run: its findings are known and do not fail this one.
    baseline: Path | None = None

    def __post_init__(self) -> None:
        if self.generation not in ("auto", "bare", "envelope"):
            raise ValueError(f"generation must be auto, bare or envelope, not {self.generation!r}.")
        if self.tier not in ("smoke", "full"):
            raise ValueError(f"tier must be 'smoke' or 'full', not {self.tier!r}.")
        if self.other is not None and self.other.business_id == self.identity.business_id:
            raise ValueError(
                "The two identities share a business; the kit uses the first token on the second business "
                "to expect 403, so give --other-business-id a business the first token may not use."
            )
