"""The DayZero contract: published slices, their bundles, our overlay and the mock's control API.

Two generations of the published docs exist: ``bare`` (success bodies are the models, as in
the slices) and ``envelope`` (each success body wrapped in ``SuccessEnvelope_<Model>_``).
``load_contract(generation)`` gives the contract of either.

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

from dayzero_mock_kit.openapi.bundler import BUNDLE_PATH, ENVELOPE_BUNDLE_PATH, SLICES_DIR, bundle_slices, load_slices
from dayzero_mock_kit.openapi.envelope import load_envelope_facts

__all__ = [
    "BUNDLE_PATH",
    "ENVELOPE_BUNDLE_PATH",
    "GENERATIONS",
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
GENERATIONS = ("bare", "envelope")


def apply_overlay(document: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``overlay`` over ``document``: mappings merge key by key, the rest replaces."""
    merged = copy.deepcopy(dict(document))
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = apply_overlay(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def patch_parameters(document: Mapping[str, Any], patches: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Deep-merge ``{operationId: {parameter name: patch}}`` into the operations' parameter lists."""
    patched = copy.deepcopy(dict(document))
    for item in patched["paths"].values():
        for operation in item.values():
            by_name = patches.get(operation["operationId"], {})
            operation["parameters"] = [
                apply_overlay(p, by_name[p["name"]]) if p["name"] in by_name else p for p in operation["parameters"]
            ]
    return patched


@dataclass(frozen=True)
class Contract:
    """The documents of one generation, read once: published bundle, effective view, control API."""

    bundle: dict[str, Any]
    overlay: dict[str, Any]
    control: dict[str, Any]
    generation: str = "bare"
    envelope: dict[str, Any] | None = None  # envelope.yaml: how the envelope generation wraps bodies

    @property
    def effective(self) -> dict[str, Any]:
        """The published bundle with the overlay (prose, inferred and our decisions) applied.

        Success bodies the bare slices leave untyped point at the model the envelope pages
        name for them, with the fields the overlay gives it (ours).
        """
        overlay = {key: value for key, value in self.overlay.items() if key != "x-dayzero-parameters"}
        document = patch_parameters(apply_overlay(self.bundle, overlay), self.overlay.get("x-dayzero-parameters", {}))
        named = (self.envelope or {}).get("data-models", {})
        for item in document["paths"].values():
            for operation in item.values():
                for status, response in operation["responses"].items():
                    media = response.get("content", {}).get("application/json")
                    untyped = status.startswith("2") and media is not None and media.get("schema") == {}
                    if untyped and operation["operationId"] in named:
                        media["schema"] = {"$ref": f"#/components/schemas/{named[operation['operationId']]}"}
        return document

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

    def sign_off_roles(self) -> list[str]:
        """The sign-off roles (documented in prose, enumerated by the overlay)."""
        schema = self.effective["components"]["schemas"]["SignOffRequest"]
        return list(schema["properties"]["role"]["enum"])

    def report_keys(self) -> list[str]:
        """The supported report keys (documented in prose, enumerated by the overlay)."""
        schema = self.effective["components"]["schemas"]["MonthEndPackageCreateRequest"]
        return list(schema["properties"]["selected_reports"]["items"]["enum"])


def load_contract(generation: str = "bare") -> Contract:
    """Read one generation's committed bundle, the overlay and control documents (cached).

    The documents are shared: callers that hand them to a tool which may change them in place
    (Schemathesis does) pass a copy.
    """
    return _load_contract(generation)


@cache
def _load_contract(generation: str) -> Contract:
    if generation not in GENERATIONS:
        raise ValueError(f"generation must be one of {', '.join(GENERATIONS)}, not {generation!r}.")
    path = BUNDLE_PATH if generation == "bare" else ENVELOPE_BUNDLE_PATH
    return Contract(
        bundle=json.loads(path.read_text()),
        overlay=yaml.safe_load(OVERLAY_PATH.read_text()),
        control=yaml.safe_load(CONTROL_PATH.read_text()),
        generation=generation,
        envelope=load_envelope_facts(),
    )
