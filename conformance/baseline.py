"""A baseline: the JSON report of an earlier run (``run``, ``proxy`` or ``validate-har``), so CI
can fail only on what is new. A finding is matched by what it is about (the check id or traffic
rule, its message or pointer, and the operation), never by ids or times the run itself created:
those are replaced by placeholders before comparing."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.http import ToolError

NEW, KNOWN = "new", "known"
_VOLATILE = (
    (re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"), "<id>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (re.compile(r"https?://[^/\s'\"]+"), "<host>"),
    (re.compile(r"\bx\d{5,}\b"), "<exchange>"),
)


def subject(text: str) -> str:
    """Text with the run's own ids, times and hosts replaced, so two runs compare."""
    for pattern, placeholder in _VOLATILE:
        text = pattern.sub(placeholder, text)
    return text


def check_key(check_id: str, message: str, operation: str) -> tuple[str, ...]:
    return ("check", check_id, subject(message), subject(operation.split("?")[0]))


def traffic_key(rule: str, side: str, operation_id: str | None, pointer: str) -> tuple[str, ...]:
    return ("traffic", rule, side, operation_id or "", re.sub(r"/\d+", "/<n>", subject(pointer)))


@dataclass(frozen=True)
class Baseline:
    """What an earlier report found: finding keys, and the checks (or rules) that failed."""

    path: Path
    keys: frozenset[tuple[str, ...]]
    failed: frozenset[str]  # check ids (run) or traffic rules (proxy, validate-har)

    @classmethod
    def load(cls, path: Path) -> Baseline:
        try:
            document = json.loads(path.read_text())
        except OSError as error:
            raise ToolError(f"Cannot read the baseline {path} ({error.strerror}).") from None
        except ValueError:
            raise ToolError(f"The baseline {path} is not JSON; give the --json report of an earlier run.") from None
        if isinstance(document, dict) and isinstance(document.get("checks"), list):
            return cls(path, *_from_run(document))
        if isinstance(document, dict) and isinstance(document.get("findings"), list):
            return cls(path, *_from_traffic(document))
        raise ToolError(
            f"The baseline {path} is not a --json report of dayzero-conformance run, proxy or validate-har."
        )

    def status(self, key: tuple[str, ...]) -> str:
        return KNOWN if key in self.keys else NEW


def _from_run(document: dict[str, Any]) -> tuple[frozenset[tuple[str, ...]], frozenset[str]]:
    keys, failed = set(), set()
    for item in document["checks"]:
        if item.get("status") in ("failed", "error"):
            failed.add(str(item.get("id")))
        for finding in item.get("findings") or []:
            keys.add(check_key(str(item.get("id")), str(finding.get("message")), str(finding.get("operation") or "")))
    return frozenset(keys), frozenset(failed)


def _from_traffic(document: dict[str, Any]) -> tuple[frozenset[tuple[str, ...]], frozenset[str]]:
    keys = {
        traffic_key(str(f.get("rule")), str(f.get("side")), f.get("operation_id"), str(f.get("pointer") or ""))
        for f in document["findings"]
        if isinstance(f, dict)
    }
    return frozenset(keys), frozenset(k[1] for k in keys)
