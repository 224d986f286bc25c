"""Fault switches: each breaks exactly one behaviour the way a real backend might.

They exist to prove the conformance kit catches real breaks (``dayzero-mock serve --fault``).
"""

from __future__ import annotations

FAULTS: dict[str, str] = {
    "token-any-business": "accept a token on a business it may not use",
}


class UnknownFaultError(ValueError):
    """A fault name that does not exist."""


def check_faults(names: list[str]) -> frozenset[str]:
    unknown = sorted(set(names) - FAULTS.keys())
    if unknown:
        raise UnknownFaultError(f"Unknown fault(s) {', '.join(unknown)}; known: {', '.join(sorted(FAULTS))}.")
    return frozenset(names)
