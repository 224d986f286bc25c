"""Lint, format and type checks run with the tests (configured in pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_lint_and_format_are_clean() -> None:
    lint = run(str(BIN / "ruff"), "check", ".")
    assert lint.returncode == 0, lint.stdout
    fmt = run(str(BIN / "ruff"), "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout


def test_mypy_is_clean() -> None:
    result = run(str(BIN / "mypy"))
    assert result.returncode == 0, result.stdout


def test_the_contract_and_fixtures_are_imported_by_their_installed_names_only() -> None:
    """A bare ``import openapi``/``fixtures`` works in a checkout but not in the wheel (and would
    load a second copy of the same files): only dayzero_mock_kit.openapi/.fixtures."""
    import re

    bare = re.compile(r"^\s*(from|import)\s+(openapi|fixtures)\b", re.MULTILINE)
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("mock_server", "conformance", "openapi", "fixtures", "tests", "benchmarks", "clients")
        for path in (ROOT / folder).rglob("*.py")
        if "node_modules" not in path.parts and bare.search(path.read_text())
    ]
    assert offenders == []


def test_every_test_file_has_a_basename_of_its_own() -> None:
    """pytest's default import mode refuses two test modules with one basename in different folders."""
    names = [path.name for path in (ROOT / "tests").rglob("test_*.py")]
    assert sorted({name for name in names if names.count(name) > 1}) == []
