"""The HTML report reads top-down on a laptop: verdict, then failing checks, then details, then
the matrix, in a 1280 px window without sideways scrolling (headless Chromium)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from conformance import CHECKS, Identity, KitSettings, run_conformance
from conformance.reporting.html import render_html
from conformance.results import PASSED, CheckResult
from mock_server.settings import Settings
from mock_server.testing import ACME_ID, GLOBEX_ID, running_mock
from tests.browser import chromium_page, screenshot

FAILING = ("PAGINATION-TOTAL", "PAGINATION-FLAGS")
PASSING = ("TENANT-404-OTHER-PERIOD", "PERIOD-UNKNOWN-404", "VALIDATION-MALFORMED-IDS", "GENERATION-SHAPE")


def test_two_failures_are_visible_in_the_first_900_px_and_the_page_fits_1280(tmp_path: Path) -> None:
    faults = frozenset({"total-ignores-filter", "has-next-on-last-page"})
    with running_mock(Settings(faults=faults, queue_seconds=0.1, build_seconds=0.2)) as mock:
        run = run_conformance(
            KitSettings(
                base_url=mock.base_url,
                identity=Identity("dz_demo_acme", ACME_ID),
                other=Identity("dz_demo_globex", GLOBEX_ID),
                include=frozenset(FAILING + PASSING),
            )
        )
    assert {r.check.id for r in run.failed()} == set(FAILING)
    # The rest of the catalogue as passed, so the matrix is as wide as a full run's.
    ran = {r.check.id for r in run.results}
    run = replace(run, results=[*run.results, *(CheckResult(c, PASSED) for c in CHECKS.values() if c.id not in ran)])
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(run))
    with chromium_page() as page:
        page.goto(page_file.as_uri())  # type: ignore[attr-defined]
        shot = screenshot(page, "conformance-report-1280")
        width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
        assert width <= 1280, f"the page scrolls sideways: {width} px wide"
        assert page.locator("#verdict").inner_text() == "DOES NOT CONFORM"  # type: ignore[attr-defined]
        for check_id in FAILING:
            link = page.locator(f'table.failing a[href="#{check_id}"]')  # type: ignore[attr-defined]
            box = link.bounding_box()
            assert box is not None and box["y"] + box["height"] <= 900, (check_id, box)
        page.locator(f'table.failing a[href="#{FAILING[0]}"]').click()  # type: ignore[attr-defined]
        assert page.evaluate("location.hash") == f"#{FAILING[0]}"  # type: ignore[attr-defined]
        matrix = page.locator(".matrix")  # type: ignore[attr-defined]
        assert matrix.evaluate("e => e.scrollWidth > e.clientWidth"), "the wide matrix scrolls in its own box"
        # ... rather than squeezing its cells: every check id and header reads on one line (the page's
        # overflow-wrap once broke the ids one letter per line).
        wrapped = matrix.evaluate(  # type: ignore[attr-defined]
            """e => [...e.querySelectorAll('th, td')].filter(cell => {
                 const range = document.createRange(); range.selectNodeContents(cell);
                 return range.getClientRects().length > 1; }).map(cell => cell.textContent)"""
        )
        assert wrapped == [], f"matrix cells broken over several lines: {wrapped[:5]}"
    assert shot.stat().st_size > 0
