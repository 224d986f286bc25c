"""The one finding type: its baseline key is what the finding is about, never the ids, times,
hosts or exchange ids of the run or traffic that made it; a report's JSON read back by
``--baseline`` knows the same finding found again."""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.baseline import KNOWN, NEW, Baseline
from conformance.registry import TRAFFIC_RULES
from conformance.reporting.json_report import run_finding_json, traffic_finding_json
from conformance.results import RESPONSE, Finding
from conformance.traffic.rules import traffic_finding
from dayzero_mock_kit.openapi.operations import Operation

ids = st.uuids().map(str)
times = st.datetimes().map(lambda moment: moment.isoformat(timespec="milliseconds") + "Z")
hosts = st.sampled_from(["http://127.0.0.1:4010", "https://staging.example.com", "http://[::1]:9"])
exchange_ids = st.integers(1, 9_999_999).map(lambda n: f"x{n:07d}")
operations = st.sampled_from(list(Operation))
# Volatile parts a run or a session makes anew every time.
volatile = st.tuples(ids, times, hosts, exchange_ids)


def run_finding(operation: Operation, made: tuple[str, str, str, str]) -> Finding:
    uid, at, host, _ = made
    return Finding(
        message=f"package {uid} created at {at} is not listed on {host}",
        expected=f"{uid} in the list",
        actual=f"items without {uid}",
        curl=f"curl '{host}{operation.path}'",
        operation=f"{operation.method} {operation.path.replace('{package_id}', uid).replace('{period_id}', uid)}"
        f"?cursor={uid}",
        rule="LIST-COMPLETE",
    )


def seen_finding(operation: Operation, rule: str, made: tuple[str, str, str, str], index: int) -> Finding:
    uid, at, host, exchange = made
    finding = traffic_finding(TRAFFIC_RULES[rule].side, rule, f"/body/items/{index}/status", "open", at)
    return replace(
        finding, exchange_id=exchange, operation_id=operation, operation=f"GET {host}/{uid}", curl=f"curl {host}"
    )


@given(operations, volatile, volatile)
def test_a_check_finding_keeps_its_key_under_other_ids_times_and_hosts(
    operation: Operation, first: tuple[str, str, str, str], again: tuple[str, str, str, str]
) -> None:
    assert run_finding(operation, first).key == run_finding(operation, again).key


@given(operations, st.sampled_from(sorted(TRAFFIC_RULES)), volatile, volatile, st.integers(0, 500), st.integers(0, 500))
def test_a_traffic_finding_keeps_its_key_under_other_exchanges_and_item_positions(
    operation: Operation,
    rule: str,
    first: tuple[str, str, str, str],
    again: tuple[str, str, str, str],
    index: int,
    other_index: int,
) -> None:
    assert seen_finding(operation, rule, first, index).key == seen_finding(operation, rule, again, other_index).key


@given(operations, operations, volatile)
def test_the_key_tells_operations_and_rules_apart(
    operation: Operation, other: Operation, made: tuple[str, str, str, str]
) -> None:
    finding = seen_finding(operation, "status-filter", made, 0)
    assert (finding.key == seen_finding(other, "status-filter", made, 0).key) == (operation is other)
    assert finding.key != seen_finding(operation, "total", made, 0).key
    assert run_finding(operation, made).key != replace(run_finding(operation, made), rule="OTHER-CHECK").key


@given(operations, volatile, volatile)
def test_a_run_report_read_back_as_baseline_knows_the_finding_found_again(
    operation: Operation, first: tuple[str, str, str, str], again: tuple[str, str, str, str]
) -> None:
    finding = run_finding(operation, first)
    document = {"checks": [{"id": finding.rule, "status": "failed", "findings": [run_finding_json(finding, NEW)]}]}
    baseline = _read_back(document)
    assert baseline.status(run_finding(operation, again).key) == KNOWN
    assert baseline.status(replace(finding, rule="ANOTHER-CHECK").key) == NEW
    assert baseline.failed == {finding.rule}


@given(operations, st.sampled_from(sorted(TRAFFIC_RULES)), volatile, volatile)
def test_a_traffic_report_read_back_as_baseline_knows_the_finding_seen_again(
    operation: Operation, rule: str, first: tuple[str, str, str, str], again: tuple[str, str, str, str]
) -> None:
    finding = seen_finding(operation, rule, first, 3)
    baseline = _read_back({"findings": [traffic_finding_json(finding, NEW)]})
    assert baseline.status(seen_finding(operation, rule, again, 4).key) == KNOWN
    assert baseline.failed == {rule}


def test_a_traffic_finding_names_a_registered_rule_of_its_side() -> None:
    assert traffic_finding(RESPONSE, "total", "/body/total", "3", "4").message == TRAFFIC_RULES["total"].rationale
    for side, rule in (("response", "no-such-rule"), ("request", "total")):
        with pytest.raises(ValueError):
            traffic_finding(side, rule, "", "", "")


def _read_back(document: dict[str, object]) -> Baseline:
    """The document as --baseline reads it from disk."""
    with tempfile.TemporaryDirectory() as temporary:
        path = Path(temporary) / "report.json"
        path.write_text(json.dumps(document))
        return Baseline.load(path)
