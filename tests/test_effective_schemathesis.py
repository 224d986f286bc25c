"""Schemathesis 4 pointed at /openapi.effective.json, as a user points a fuzzer at the mock: all
phases, every check; each of the 17 operations answers a 2xx somewhere in the run, and nothing
fails but the mock taking unknown extra headers (as FastAPI does, and the contract allows).

The only tuning is read from the document itself: each operation's ``x-dayzero-refusals`` (the
answers a rule no JSON Schema can state may give to schema-valid data) become that operation's
expected statuses. One package is made and built first, as a user would seed a run, so the
document's examples name a downloadable package.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from dayzero_mock_kit.openapi.operations import Operation, OperationTable
from mock_server.settings import Settings
from mock_server.testing import ACME_ID, running_mock

SEED = "20261201"
MAX_EXAMPLES = "15"
TOKEN = "dz_demo_acme"
UNKNOWN_HEADER = "Invalid component: in header - object with unexpected properties"


def schemathesis_config(document: dict[str, Any]) -> str:
    """The demo identity; per operation the statuses its ``x-dayzero-refusals`` announce, and its
    parameters that only the server's answers can fill (refusals on the parameter) left empty."""
    lines = [f'headers = {{ Authorization = "Bearer {TOKEN}", "x-business-id" = "{ACME_ID}" }}']
    for item in document["paths"].values():
        for operation in item.values():
            refusals = operation.get("x-dayzero-refusals")
            opaque = {
                f"{p['in']}.{p['name']}": "" for p in operation.get("parameters", []) if "x-dayzero-refusals" in p
            }
            if not refusals and not opaque:
                continue
            lines += ["", "[[operations]]", f"include-operation-id = {json.dumps(operation['operationId'])}"]
            if refusals:
                success = [status for status in operation["responses"] if status.startswith("2")]
                expected = sorted({*success, "401", "403", "404", "409", "429", *refusals})
                lines.append(f"checks.positive_data_acceptance.expected-statuses = {json.dumps(expected)}")
            if opaque:
                lines.append(
                    f"parameters = {{ {', '.join(f'{json.dumps(k)} = {json.dumps(v)}' for k, v in opaque.items())} }}"
                )
    return "\n".join(lines) + "\n"


def seed_a_ready_package(client: httpx.Client) -> str:
    created = client.post(
        "/api/v1/month-end-packages",
        json={"selected_reports": ["pl"], "period_start": "2026-11-01", "period_end": "2026-11-30"},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    package_id = (body.get("data") or body)["package"]["id"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        package = client.get(f"/api/v1/month-end-packages/{package_id}").json()
        if (package.get("data") or package)["status"] == "ready":
            return package_id
        time.sleep(0.1)
    raise AssertionError("the seeded package never became ready")


def failures(junit: Path) -> list[str]:
    """Every failing test case (and every error) of a JUnit report, one text each."""
    found = []
    for element in ET.parse(junit).iter():
        if element.tag in ("failure", "error"):
            text = element.text or element.get("message") or element.tag
            found += [case for case in re.split(r"\n?\d+\. Test Case ID: ", text) if case.strip()]
    return found


def statuses_by_operation(har: Path, document: dict[str, Any]) -> dict[Operation, Counter[int]]:
    table = OperationTable(document)
    seen: dict[Operation, Counter[int]] = defaultdict(Counter)
    for entry in json.loads(har.read_text())["log"]["entries"]:
        operation = Operation.of(
            table.operation_id(entry["request"]["method"], urlsplit(entry["request"]["url"]).path) or ""
        )
        if operation is not None:
            seen[operation][entry["response"]["status"]] += 1
    return seen


@dataclass(frozen=True)
class Run:
    """What one Schemathesis run over the effective document saw."""

    summary: str
    failures: list[str]
    statuses: dict[Operation, Counter[int]]
    package_id: str
    document_text: str
    seconds: float

    @property
    def cases(self) -> int:
        found = re.search(r"(\d+) generated", self.summary)
        return int(found.group(1)) if found else 0

    @property
    def unexpected(self) -> list[str]:
        """Failures but the mock taking an unknown extra header."""
        return [
            case
            for case in self.failures
            if set(re.findall(r"- (ST\d+)", case)) != {"ST201"} or UNKNOWN_HEADER not in case
        ]


def run_schemathesis(
    generation: str, folder: Path, max_examples: str = MAX_EXAMPLES, phases: str = "examples,coverage,fuzzing,stateful"
) -> Run:
    """A mock of ``generation`` with one ready package, and Schemathesis (all phases and checks) over
    its /openapi.effective.json with the configuration the document itself gives."""
    st = shutil.which("st", path=str(Path(sys.executable).parent)) or "st"
    settings = Settings(queue_seconds=0.2, build_seconds=0.3, validate_responses=True, generation=generation)
    with running_mock(settings) as mock:
        headers = {"Authorization": f"Bearer {TOKEN}", "x-business-id": ACME_ID}
        with httpx.Client(base_url=mock.base_url, headers=headers) as client:
            package_id = seed_a_ready_package(client)
            document_text = client.get("/openapi.effective.json").text
        document = json.loads(document_text)
        config = folder / "schemathesis.toml"
        config.write_text(schemathesis_config(document))
        started = time.monotonic()
        result = subprocess.run(
            [
                st,
                "--config-file",
                str(config),
                "run",
                f"{mock.base_url}/openapi.effective.json",
                "--checks",
                "all",
                "--phases",
                phases,
                "--seed",
                SEED,
                "--max-examples",
                max_examples,
                "--report",
                "junit,har",
                "--report-dir",
                str(folder),
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=900,
            cwd=folder,  # Schemathesis writes .schemathesis/ into its working folder
        )
        seconds = time.monotonic() - started
    (junit,) = folder.glob("junit-*.xml")
    (har,) = folder.glob("har-*.json")
    return Run(
        summary=result.stdout[-3000:],
        failures=failures(junit),
        statuses=statuses_by_operation(har, document),
        package_id=package_id,
        document_text=document_text,
        seconds=seconds,
    )


@pytest.mark.parametrize("generation", ["bare", "envelope"])
def test_schemathesis_over_the_effective_document_reaches_every_operation(tmp_path: Path, generation: str) -> None:
    run = run_schemathesis(generation, tmp_path)
    assert "Tested: 17" in run.summary, run.summary
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert phase in run.summary, run.summary
    assert not run.unexpected, "\n\n".join(run.unexpected)[:6000]
    never_2xx = [op.name for op in Operation if not any(200 <= status < 300 for status in run.statuses[op])]
    assert not never_2xx, f"no 2xx for {never_2xx}: {dict(run.statuses)}"
    assert run.package_id in run.document_text, "the document's examples name the seeded package"


if __name__ == "__main__":  # the README's figures: python -m tests.test_effective_schemathesis [max-examples] [phases]
    import tempfile

    examples = sys.argv[1] if len(sys.argv) > 1 else MAX_EXAMPLES
    phases = sys.argv[2] if len(sys.argv) > 2 else "examples,coverage,fuzzing,stateful"
    for name in ("bare", "envelope"):
        with tempfile.TemporaryDirectory() as folder:
            outcome = run_schemathesis(name, Path(folder), examples, phases)
        twos = {op.name: sum(n for s, n in outcome.statuses[op].items() if 200 <= s < 300) for op in Operation}
        print(
            f"{name}: {phases}, max-examples {examples}: {outcome.cases} cases in {outcome.seconds:.1f} s, "
            f"{len(outcome.failures)} failures ({len(outcome.unexpected)} besides unknown headers); "
            f"operations with a 2xx: {sum(bool(n) for n in twos.values())}/17"
        )
        print("    2xx answers:", ", ".join(f"{op.lower()} {n}" for op, n in twos.items()))
