"""Which generation of the docs the server speaks, and reading bodies through that choice.

Bare: a success body is the model. Envelope: it is ``{success, message, code, data}`` with
the model in ``data`` (a body-less success has no ``data``). Errors are bare in both. With
``--generation auto`` the first success body decides, and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ENVELOPE_FIELDS = frozenset({"success", "message", "code", "data"})
CHOICES = ("auto", "bare", "envelope")


def looks_enveloped(body: Any) -> bool:
    """A success body shaped like the SuccessEnvelope: only envelope fields, ``success`` among them."""
    return isinstance(body, dict) and "success" in body and set(body) <= ENVELOPE_FIELDS


@dataclass
class BodyGeneration:
    """The generation bodies are read with; shared by every client of a run."""

    name: str | None  # None until decided (auto)
    source: str = "given"

    @classmethod
    def from_choice(cls, choice: str) -> BodyGeneration:
        if choice not in CHOICES:
            raise ValueError(f"generation must be one of {', '.join(CHOICES)}, not {choice!r}.")
        return cls(None, "auto") if choice == "auto" else cls(choice, "given")

    @property
    def decided(self) -> str:
        return self.name or "bare"

    def detect(self, status: int, body: Any) -> None:
        """Decide from the first success body (auto only)."""
        if self.name is None and 200 <= status < 300 and body is not None:
            self.name = "envelope" if looks_enveloped(body) else "bare"
            self.source = "detected from the first success body"

    def describe(self) -> str:
        if self.name is None:
            return "bare (assumed: no success body was seen)"
        return f"{self.name} ({self.source})"


def unwrap(generation: str, status: int, body: Any) -> Any:
    """The model inside a body: ``data`` of an enveloped success, the body itself otherwise."""
    if generation == "envelope" and 200 <= status < 300 and isinstance(body, dict):
        return body.get("data")
    return body
