"""The DayZero contract: published slices, their bundle, our overlay and the mock's control API.

A neutral package: both ``mock_server`` and ``conformance`` read the contract through it and
through nothing else.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from openapi.bundler import BUNDLE_PATH, SLICES_DIR, bundle_slices, load_slices

__all__ = [
    "BUNDLE_PATH",
    "CONTROL_PATH",
    "OVERLAY_PATH",
    "SLICES_DIR",
    "Contract",
    "apply_overlay",
    "bundle_slices",
    "load_contract",
    "load_slices",
]

OVERLAY_PATH = Path(__file__).with_name("overlay.yaml")
CONTROL_PATH = Path(__file__).with_name("control.yaml")


def apply_overlay(document: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``overlay`` over ``document``: mappings merge key by key, the rest replaces."""
    merged = copy.deepcopy(dict(document))
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = apply_overlay(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


@dataclass(frozen=True)
class Contract:
    """The three documents, read once: published bundle, effective view, control API."""

    bundle: dict[str, Any]
    overlay: dict[str, Any]
    control: dict[str, Any]

    @property
    def effective(self) -> dict[str, Any]:
        """The published bundle with the overlay (prose, inferred and our decisions) applied."""
        return apply_overlay(self.bundle, self.overlay)

    @property
    def extensions(self) -> dict[str, Any]:
        """The overlay's ``x-dayzero`` facts (pagination columns, lifecycle, headers)."""
        return dict(self.overlay.get("x-dayzero", {}))

    def operations(self) -> dict[str, tuple[str, str, dict[str, Any]]]:
        """operationId -> (method, path, operation) for every operation of the bundle."""
        found: dict[str, tuple[str, str, dict[str, Any]]] = {}
        for path, item in self.bundle["paths"].items():
            for method, operation in item.items():
                found[operation["operationId"]] = (method, path, operation)
        return found

    def report_keys(self) -> list[str]:
        """The supported report keys (documented in prose, enumerated by the overlay)."""
        schema = self.effective["components"]["schemas"]["MonthEndPackageCreateRequest"]
        return list(schema["properties"]["selected_reports"]["items"]["enum"])


@cache
def load_contract() -> Contract:
    """Read the committed bundle, overlay and control documents (cached: they never change)."""
    return Contract(
        bundle=json.loads(BUNDLE_PATH.read_text()),
        overlay=yaml.safe_load(OVERLAY_PATH.read_text()),
        control=yaml.safe_load(CONTROL_PATH.read_text()),
    )
