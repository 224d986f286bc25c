"""Merge the published per-operation slices into one OpenAPI 3.1 bundle.

The slices are kept exactly as DayZero publishes them (the bare generation); the bundle is
derived from them and committed (``bundle.json``) so that readers and tools can use one
document, and so is the envelope generation (``bundle.envelope.json``, see ``envelope.py``).
A test keeps both committed copies in sync with the slices.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from dayzero_mock_kit.openapi.envelope import EnvelopeError, envelope_bundle, load_envelope_facts

SLICES_DIR = Path(__file__).with_name("slices")
BUNDLE_PATH = Path(__file__).with_name("bundle.json")
ENVELOPE_BUNDLE_PATH = Path(__file__).with_name("bundle.envelope.json")

BUNDLE_TITLE = "DayZero month-end packages API (published slices, bundled)"


class BundleConflictError(ValueError):
    """Two slices disagree about something the bundle can hold only once."""


def load_slices(directory: Path = SLICES_DIR) -> dict[str, dict[str, Any]]:
    """Read every ``*.json`` slice of ``directory``, keyed by file stem, in name order."""
    return {path.stem: json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))}


def bundle_slices(slices: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Merge slices into one document: paths side by side, shared components de-duplicated.

    Raises BundleConflictError when two slices define the same operation or the same
    component differently, naming both slices.
    """
    if not slices:
        raise BundleConflictError("There are no slices to bundle.")
    versions = {doc.get("openapi") for doc in slices.values()}
    if len(versions) != 1:
        raise BundleConflictError(f"The slices mix OpenAPI versions {sorted(map(str, versions))}.")

    paths: dict[str, dict[str, Any]] = {}
    path_origin: dict[tuple[str, str], str] = {}
    components: dict[str, dict[str, Any]] = {}
    component_origin: dict[tuple[str, str], str] = {}
    servers: dict[str, dict[str, Any]] = {}
    tags: list[str] = []

    for name, doc in slices.items():
        for server in doc.get("servers", []):
            # Slices published at different times describe the same server more or less fully.
            known = servers.setdefault(server["url"], {})
            for key, value in server.items():
                if known.setdefault(key, value) != value:
                    raise BundleConflictError(f"Slice {name!r} describes server {server['url']} differently ({key}).")
        for path, item in doc.get("paths", {}).items():
            target = paths.setdefault(path, {})
            for method, operation in item.items():
                key = (path, method)
                if key in path_origin:
                    raise BundleConflictError(
                        f"Slices {path_origin[key]!r} and {name!r} both define {method.upper()} {path}."
                    )
                path_origin[key] = name
                target[method] = operation
                for tag in operation.get("tags", []):
                    if tag not in tags:
                        tags.append(tag)
        for section, entries in doc.get("components", {}).items():
            merged = components.setdefault(section, {})
            for entry_name, definition in entries.items():
                key = (section, entry_name)
                if key in component_origin and merged[entry_name] != definition:
                    raise BundleConflictError(
                        f"Slices {component_origin[key]!r} and {name!r} define "
                        f"components.{section}.{entry_name} differently."
                    )
                component_origin.setdefault(key, name)
                merged[entry_name] = definition

    return {
        "openapi": versions.pop(),
        "info": {"title": BUNDLE_TITLE, "version": _single_version(slices)},
        "servers": list(servers.values()),
        "tags": [{"name": tag} for tag in tags],
        "paths": paths,
        "components": {section: dict(sorted(entries.items())) for section, entries in sorted(components.items())},
    }


def _single_version(slices: Mapping[str, Mapping[str, Any]]) -> str:
    versions = sorted({str(doc.get("info", {}).get("version", "")) for doc in slices.values()})
    if len(versions) != 1:
        raise BundleConflictError(f"The slices carry different info.version values: {versions}.")
    return versions[0]


def render(document: Mapping[str, Any]) -> str:
    """Serialize a document the way the committed bundle is written."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def rendered_bundles() -> dict[Path, str]:
    """Both generations' bundles as they are committed, keyed by their path."""
    bare = bundle_slices(load_slices())
    return {
        BUNDLE_PATH: render(bare),
        ENVELOPE_BUNDLE_PATH: render(envelope_bundle(bare, load_envelope_facts())),
    }


def main(argv: Iterable[str] | None = None) -> int:
    """``python -m dayzero_mock_kit.openapi.bundler [--check]``: write both bundles, or check they are current."""
    parser = argparse.ArgumentParser(prog="python -m dayzero_mock_kit.openapi.bundler", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a committed bundle is out of date")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        bundles = rendered_bundles()
    except (BundleConflictError, EnvelopeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    stale = [path for path, text in bundles.items() if not path.exists() or path.read_text() != text]
    if args.check:
        for path in stale:
            print(f"{path.name} is out of date; run: python -m dayzero_mock_kit.openapi.bundler", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(bundles[path])
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
