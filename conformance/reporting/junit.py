"""The run as JUnit XML: one test suite per layer, one test case per check."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from conformance.results import ERROR, FAILED, SKIPPED, RunResult


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
