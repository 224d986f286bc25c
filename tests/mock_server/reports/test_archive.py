import io
import os
import time
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from mock_server.reports.archive import ArchiveSpec, build_archive
from mock_server.reports.books import make_books
from mock_server.reports.money import format_cents

ALL = ("pl", "balance_sheet", "cash_flow", "ar_aging", "ap_aging", "budget_vs_actual", "bank_reconciliation")


def spec(fmt: str, reports=ALL) -> ArchiveSpec:
    return ArchiveSpec(
        seed=3,
        business_id="b1",
        business_name="Acme Demo Co",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        report_format=fmt,
        reports=reports,
    )


def members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_the_same_package_gives_a_byte_identical_zip(fmt) -> None:
    assert build_archive(spec(fmt)) == build_archive(spec(fmt))


def test_every_pdf_opens_and_shows_the_books_figures() -> None:
    files = members(build_archive(spec("pdf")))
    assert list(files) == [
        f"{i:02d}_{stem}_2026-10.pdf"
        for i, stem in enumerate(
            [
                "profit_and_loss",
                "balance_sheet",
                "cash_flow_statement",
                "ar_aging",
                "ap_aging",
                "budget_vs_actual",
                "bank_reconciliation",
            ],
            start=1,
        )
    ]
    books = make_books(
        seed=3,
        business_id="b1",
        business_name="Acme Demo Co",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
    )
    texts = {
        name: "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages) for name, data in files.items()
    }
    net_income = format_cents(books.net_income)
    closing_cash = format_cents(books.closing["Cash"])
    assert net_income in texts["01_profit_and_loss_2026-10.pdf"]
    assert closing_cash in texts["03_cash_flow_statement_2026-10.pdf"]
    assert closing_cash in texts["07_bank_reconciliation_2026-10.pdf"]
    assert format_cents(books.closing["Accounts receivable"]) in texts["04_ar_aging_2026-10.pdf"]
    assert "Acme Demo Co" in texts["02_balance_sheet_2026-10.pdf"]


def test_every_xlsx_opens_in_openpyxl_with_numeric_money_cells() -> None:
    files = members(build_archive(spec("xlsx", ("pl", "balance_sheet"))))
    assert list(files) == ["01_profit_and_loss_2026-10.xlsx", "02_balance_sheet_2026-10.xlsx"]
    books = make_books(
        seed=3,
        business_id="b1",
        business_name="Acme Demo Co",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
    )
    # Totals are formulas; data_only reads the values cached with them.
    sheet = openpyxl.load_workbook(io.BytesIO(files["01_profit_and_loss_2026-10.xlsx"]), data_only=True).active
    rows = {row[0].strip(): row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert rows["Net income"] == pytest.approx(books.net_income / 100)
    sheet = openpyxl.load_workbook(io.BytesIO(files["02_balance_sheet_2026-10.xlsx"]), data_only=True).active
    rows = {row[0].strip(): row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert rows["Total assets"] == pytest.approx(rows["Total liabilities and equity"])


def test_filename_names_the_business_and_the_period() -> None:
    assert spec("pdf").filename == "acme-demo-co_month-end_2026-10-01_2026-10-31.zip"


@pytest.mark.parametrize(
    "start, end",
    [
        (date(1, 1, 1), date(1, 1, 1)),
        (date(9999, 12, 1), date(9999, 12, 31)),
        (date(2026, 2, 1), date(2027, 1, 31)),
        (date(1, 1, 1), date(9999, 12, 31)),  # the ledger trades 20 years, then lies dormant
    ],
)
def test_any_valid_period_builds_an_archive(start, end) -> None:
    odd = ArchiveSpec(
        seed=1, business_id="b", business_name="X", period_start=start, period_end=end, report_format="pdf", reports=ALL
    )
    assert len(members(build_archive(odd))) == len(ALL)


def _overlaps(chars: list[dict]) -> list[tuple[str, str, int, int]]:
    """Pairs of glyphs drawn over each other (0.5 pt of slack for glyph edges and kerning).

    Glyphs, not words: text drawn over other text merges into one "word" when extracted.
    """
    slack = 0.5
    glyphs = sorted((c for c in chars if c["text"].strip()), key=lambda c: c["top"])
    found = []
    for i, a in enumerate(glyphs):
        for b in glyphs[i + 1 :]:
            if b["top"] >= a["bottom"] - slack:
                break
            if a["x0"] < b["x1"] - slack and b["x0"] < a["x1"] - slack:
                found.append((a["text"], b["text"], round(a["x0"]), round(a["top"])))
    return found


@pytest.mark.parametrize("period", [(date(2026, 10, 1), date(2026, 10, 31)), (date(2025, 1, 1), date(2026, 12, 31))])
def test_no_two_words_of_any_pdf_page_overlap_and_every_page_is_numbered(period) -> None:
    """Read every page as a reader would: rendered to PNG (kept), no text drawn over other text,
    a page number and a "generated" line on each page."""
    import pdfplumber

    from tests.browser import ARTIFACTS

    start, end = period
    files = members(build_archive(replace(spec("pdf"), period_start=start, period_end=end)))
    for name, content in files.items():
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            pages = len(pdf.pages)
            for number, page in enumerate(pdf.pages, start=1):
                assert _overlaps(page.chars) == [], (name, number)
                text = page.extract_text()
                assert f"Page {number} of {pages}" in text, (name, number)
                assert "Generated" in text and "dayzero-mock" in text, (name, number)
                assert all(c["x1"] <= page.width and c["bottom"] <= page.height for c in page.chars), (name, number)
                if start.month == 10:
                    ARTIFACTS.mkdir(parents=True, exist_ok=True)
                    page.to_image(resolution=60).save(ARTIFACTS / f"report-{Path(name).stem}-p{number}.png")


def test_a_long_report_breaks_onto_pages_that_repeat_the_column_headers() -> None:
    import pdfplumber

    from mock_server.reports.documents import Report, Row
    from mock_server.reports.pdf import render_pdf

    rows = tuple(
        Row(f"Customer {i:03d} with a rather long legal name, Incorporated", (i * 10_001,)) for i in range(150)
    )
    report = Report("ar_aging", "AR Aging", "Acme Demo Co", ("Customer", "Outstanding balance as of 2026-10-31"), rows)
    with pdfplumber.open(io.BytesIO(render_pdf(report, issued=datetime(2026, 11, 1, tzinfo=UTC)))) as pdf:
        assert len(pdf.pages) > 2
        for number, page in enumerate(pdf.pages, start=1):
            text = page.extract_text()
            assert "Outstanding balance" in text and f"Page {number} of {len(pdf.pages)}" in text
            assert _overlaps(page.chars) == [], number
        every_page = "\n".join(page.extract_text() for page in pdf.pages)
    assert all(f"Customer {i:03d}" in every_page for i in range(150))


def test_a_zip_builds_in_the_pool_and_a_request_awaits_the_one_it_needs() -> None:
    import asyncio

    from mock_server.reports.builds import ArchiveBuilds, ZipPending

    builds = ArchiveBuilds()
    wanted = replace(spec("xlsx"), business_name="Pool Test Co")
    builds.start(wanted)
    try:
        size = builds.size(wanted)
    except ZipPending as pending:  # still building (the usual case: the pool has just started)
        assert pending.spec == wanted
        size = None
    content = asyncio.run(builds.content(wanted))
    assert content == build_archive(wanted) and builds.size(wanted) == len(content)
    assert size in (None, len(content))


def test_shutting_the_build_pool_down_ends_its_processes_even_while_they_start() -> None:
    """shutdown_builds reads the pool's process list (stdlib's ``_processes``: no public one before
    Python 3.14); if that name moves, this fails instead of the mock leaving processes behind."""
    from mock_server.reports import builds

    builds.start_build_pool()
    pool = builds._pool()
    processes = list(pool._processes.values())  # type: ignore[attr-defined]
    assert processes and all(process.is_alive() for process in processes)
    started = time.monotonic()
    builds.shutdown_builds(timeout=0.2)
    assert time.monotonic() - started < 3
    assert not any(process.is_alive() for process in processes)


def test_builds_run_at_a_lower_priority_than_the_server() -> None:
    """On a busy machine a zip build must not take the CPU from the server's answers."""
    from mock_server.reports import builds

    try:
        in_build = builds._pool().submit(os.nice, 0).result(timeout=60)
        assert in_build == min(os.nice(0) + builds.BUILD_NICENESS, 19)
    finally:
        builds.shutdown_builds()


def test_a_build_process_that_dies_breaks_no_request_the_pool_is_replaced() -> None:
    """The OOM killer (a container's memory limit) or a ``kill -9`` ends a build process: the
    stdlib pool then refuses every build for good, and every create and list answered 500.
    The zips are built again in a fresh pool instead."""
    import asyncio
    import signal

    from mock_server.reports import builds

    builds.start_build_pool()
    try:
        first = builds._pool()
        victim = next(iter(first._processes.values()))  # type: ignore[attr-defined]
        os.kill(victim.pid, signal.SIGKILL)
        victim.join(10)
        wanted = replace(spec("xlsx"), business_name="Killed Worker Co")
        archives = builds.ArchiveBuilds()
        # Whether the pool noticed yet or not, the build ends with the zip, never an error.
        assert asyncio.run(archives.content(wanted)) == build_archive(wanted)
        assert archives.size(wanted) == len(build_archive(wanted))
        again = replace(wanted, business_name="After The Replacement Co")
        assert asyncio.run(archives.content(again)) == build_archive(again)
        assert builds._pool() is not first
    finally:
        builds.shutdown_builds(timeout=0.2)
