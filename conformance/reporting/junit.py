"""JUnit XML: a run as one test suite per layer and one test case per check; the traffic as one
test case per exchange."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from conformance.baseline import KNOWN
from conformance.results import ERROR, FAILED, SKIPPED, Finding, RunResult

if TYPE_CHECKING:
    from conformance.traffic.results import TrafficResult


def render_junit(run: RunResult) -> str:
    root = ET.Element("testsuites", name="dayzero-conformance", time=f"{run.duration:.3f}")
    for layer in dict.fromkeys(r.check.layer for r in run.results):
        results = [r for r in run.results if r.check.layer == layer]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=layer,
            tests=str(len(results)),
            failures=str(sum(r.status == FAILED for r in results)),
            errors=str(sum(r.status == ERROR for r in results)),
            skipped=str(sum(r.status == SKIPPED for r in results)),
        )
        for result in results:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"dayzero.{layer}",
                name=f"{result.check.id} [{result.check.level}]",
                time=f"{result.duration:.3f}",
            )
            if result.status in (FAILED, ERROR) and not run.is_new(result):
                where = run.baseline.path if run.baseline else ""
                ET.SubElement(case, "skipped", message=f"known: every finding is in the baseline {where}")
            elif result.status in (FAILED, ERROR):
                text = "\n\n".join(
                    f"[{run.finding_status(result, f)}] {f.message}\nexpected: {f.expected}\nactual: {f.actual}\n"
                    f"seed: {run.seed}\nreproduce: {f.curl}"
                    for f in result.findings
                )
                element = ET.SubElement(
                    case,
                    "failure" if result.status == FAILED else "error",
                    message=result.findings[0].message if result.findings else result.status,
                )
                element.text = text
            elif result.status == SKIPPED:
                ET.SubElement(case, "skipped", message=result.skip_reason)
            ET.SubElement(case, "system-out").text = result.check.rationale
    tally = run.tally()
    properties = ET.SubElement(root, "properties")
    for name, value in (("new", tally["new"]), ("known", tally["known"]), ("fixed", ", ".join(run.fixed()))):
        ET.SubElement(properties, "property", name=f"baseline.{name}", value=str(value))
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def render_traffic_junit(result: TrafficResult) -> str:
    suite = ET.Element("testsuite", name="dayzero-traffic", tests=str(result.exchanges), failures=str(result.count()))
    by_exchange: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_exchange.setdefault(finding.exchange_id, []).append(finding)
    for record in result.records:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=record["operation_id"] or "outside-the-api",
            name=f"{record['id']} {record['method']} {record['path']}",
        )
        for finding in by_exchange.get(record["id"], []):
            status = result.status(finding)
            where = f"[{status}] {finding.side}: {finding.rule} at {finding.pointer or '/'}"
            if status == KNOWN:
                ET.SubElement(case, "skipped", message=f"known in the baseline: {where}")
                continue
            failure = ET.SubElement(case, "failure", message=where)
            failure.text = f"expected: {finding.expected}\nactual: {finding.actual}\nreproduce: {finding.curl}"
    return ET.tostring(suite, encoding="unicode")
