"""Thirteen consecutive monthly packages, a quarter and a year of one business agree with each
other the way a real company's books do, read back from the files a user downloads: the XLSX
with openpyxl (the values cached with the formulas) and the PDF as text."""

from __future__ import annotations

import calendar
import io
import os
import re
import shutil
import subprocess
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from mock_server.reports.archive import ArchiveSpec, build_archive, span_label
from mock_server.reports.books import books_activity
from mock_server.reports.money import format_cents

ALL = ("pl", "balance_sheet", "cash_flow", "ar_aging", "ap_aging", "budget_vs_actual", "bank_reconciliation")
MONTHS = [(2025, 12)] + [(2026, m) for m in range(1, 13)]
PDF_REPORTS = ("pl", "balance_sheet", "cash_flow", "bank_reconciliation")  # enough to read the roll-forward


def month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def spec(start: date, end: date, fmt: str, reports: tuple[str, ...] = ALL) -> ArchiveSpec:
    return ArchiveSpec(
        seed=11,
        business_id="acme",
        business_name="Acme Demo Co",
        period_start=start,
        period_end=end,
        report_format=fmt,
        reports=reports,
        generated_at=datetime.combine(end + timedelta(days=2), datetime.min.time(), UTC).replace(hour=9, minute=41),
    )


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            re.sub(r"^\d\d_(.*)_[^_]+\.(xlsx|pdf)$", r"\1", name): archive.read(name) for name in archive.namelist()
        }


def table(content: bytes) -> dict[str, tuple]:
    """An XLSX report as label -> the values of its row (cached values of formulas)."""
    sheet = openpyxl.load_workbook(io.BytesIO(content), data_only=True).active
    rows = {}
    for row in sheet.iter_rows(min_row=5, values_only=True):
        if row[0]:
            rows[row[0].strip()] = tuple(row[1:])
    return rows


def cents(value: float) -> int:
    return round(value * 100)


@pytest.fixture(scope="module")
def packages() -> dict[str, dict[str, dict[str, bytes]]]:
    """span label -> format -> report stem -> file."""
    spans = [month_span(*m) for m in MONTHS] + [
        (date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 1, 1), date(2026, 12, 31)),
    ]
    found: dict[str, dict[str, dict[str, bytes]]] = {}
    for start, end in spans:
        label = span_label(start, end)
        found[label] = {"xlsx": unzip(build_archive(spec(start, end, "xlsx")))}
        if (start.month, end.month) in ((12, 12), (1, 1), (7, 9), (1, 12)) or start.month == end.month == 10:
            found[label]["pdf"] = unzip(build_archive(spec(start, end, "pdf", PDF_REPORTS)))
    return found


def test_file_names_carry_the_span() -> None:
    names = {
        (date(2026, 10, 1), date(2026, 10, 31)): "2026-10",
        (date(2026, 7, 1), date(2026, 9, 30)): "2026-Q3",
        (date(2026, 1, 1), date(2026, 12, 31)): "2026",
        (date(2026, 1, 15), date(2026, 2, 14)): "2026-01-15_2026-02-14",
        (date(2026, 2, 1), date(2026, 4, 30)): "2026-02-01_2026-04-30",
        (date(2026, 1, 1), date(2027, 12, 31)): "2026-01-01_2027-12-31",
    }
    for (start, end), label in names.items():
        assert spec(start, end, "pdf", ("pl",)).member_names() == [f"01_profit_and_loss_{label}.pdf"]


def test_each_month_opens_with_the_balances_the_month_before_closed(packages) -> None:
    labels = [f"{y}-{m:02d}" for y, m in MONTHS]
    for before, after in zip(labels, labels[1:], strict=False):
        closed, opened = (
            table(packages[before]["xlsx"]["balance_sheet"]),
            table(packages[after]["xlsx"]["balance_sheet"]),
        )
        for line in (
            "Cash",
            "Accounts receivable",
            "Fixed assets, net",
            "Bank loan",
            "Common stock",
            "Retained earnings",
        ):
            assert closed[line][0] == opened[line][1], (before, after, line)
        flows_before, flows_after = (
            table(packages[before]["xlsx"]["cash_flow_statement"]),
            table(packages[after]["xlsx"]["cash_flow_statement"]),
        )
        assert flows_before["Cash at end of period"][0] == flows_after["Cash at beginning of period"][0]
        # Outstanding cheques and deposits in transit clear in the next month.
        rec_before = table(packages[before]["xlsx"]["bank_reconciliation"])
        rec_after = table(packages[after]["xlsx"]["bank_reconciliation"])
        outstanding = {k for k in rec_before if k.startswith(("Check #", "Deposit "))}
        assert outstanding.isdisjoint(rec_after), (before, after)


def test_within_each_month_the_package_ties_out(packages) -> None:
    for year, month in MONTHS:
        files = packages[f"{year}-{month:02d}"]["xlsx"]
        pl, sheet, flows = (
            table(files["profit_and_loss"]),
            table(files["balance_sheet"]),
            table(files["cash_flow_statement"]),
        )
        rec, ar, ap = table(files["bank_reconciliation"]), table(files["ar_aging"]), table(files["ap_aging"])
        assert sheet["Total assets"][0] == pytest.approx(sheet["Total liabilities and equity"][0], abs=0.005)
        assert cents(sheet["Retained earnings"][0]) - cents(sheet["Retained earnings"][1]) == cents(pl["Net income"][0])
        assert flows["Cash at end of period"][0] == sheet["Cash"][0] == rec["Balance per books"][0]
        assert cents(rec["Unreconciled difference"][0]) == 0
        assert cents(ar["Total"][-1]) == cents(sheet["Accounts receivable"][0])
        assert cents(ap["Total"][-1]) == cents(sheet["Accounts payable"][0])
        budget = table(files["budget_vs_actual"])
        assert budget["Net income"][0] == pl["Net income"][0]
        # Never round thousands: amounts have cents.
        assert all(cents(pl[k][0]) % 100_000 for k in ("Product sales", "Services", "Salaries and wages"))


def _sum_of_months(packages, report: str, months: list[tuple[int, int]], line: str) -> int:
    return sum(cents(table(packages[f"{y}-{m:02d}"]["xlsx"][report])[line][0]) for y, m in months)


def test_a_quarter_and_a_year_are_the_sums_of_their_months(packages) -> None:
    year_months = [(2026, m) for m in range(1, 13)]
    for label, months in (("2026-Q3", [(2026, 7), (2026, 8), (2026, 9)]), ("2026", year_months)):
        pl = table(packages[label]["xlsx"]["profit_and_loss"])
        for line in ("Product sales", "Services", "Cost of goods sold", "Salaries and wages", "Rent", "Net income"):
            assert cents(pl[line][0]) == _sum_of_months(packages, "profit_and_loss", months, line), (label, line)
        flows = table(packages[label]["xlsx"]["cash_flow_statement"])
        for line in ("Net cash from operating activities", "Purchase of fixed assets", "Net change in cash"):
            assert cents(flows[line][0]) == _sum_of_months(packages, "cash_flow_statement", months, line), (label, line)
        # The balance sheet at a date is the same in every package that shows it.
        last = f"{months[-1][0]}-{months[-1][1]:02d}"
        before = {"2026-Q3": "2026-06", "2026": "2025-12"}[label]
        assert table(packages[label]["xlsx"]["balance_sheet"]) == {
            k: (v[0], table(packages[before]["xlsx"]["balance_sheet"])[k][0] if v[0] is not None else None)
            for k, v in table(packages[last]["xlsx"]["balance_sheet"]).items()
        }


def test_customers_change_slowly_and_agings_are_as_of_the_period_end(packages) -> None:
    labels = [f"{y}-{m:02d}" for y, m in MONTHS]
    rosters = [set(table(packages[label]["xlsx"]["ar_aging"])) - {"Total"} for label in labels]
    for before, after in zip(rosters, rosters[1:], strict=False):
        assert len(before & after) >= len(before | after) // 2
    year = table(packages["2026"]["xlsx"]["ar_aging"])
    assert year == table(packages["2026-12"]["xlsx"]["ar_aging"])


def test_the_pdfs_read_as_printed(packages) -> None:
    for label, (start, end) in {
        "2026-10": month_span(2026, 10),
        "2026-Q3": (date(2026, 7, 1), date(2026, 9, 30)),
        "2026": (date(2026, 1, 1), date(2026, 12, 31)),
    }.items():
        files = packages[label]["pdf"]
        texts = {k: "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(v)).pages) for k, v in files.items()}
        day_before = (start - timedelta(days=1)).isoformat()
        for stem in ("balance_sheet", "bank_reconciliation"):
            assert f"Acme Demo Co - As of {end.isoformat()}" in texts[stem]
        assert f"As of {end.isoformat()} As of {day_before}" in texts["balance_sheet"]
        assert f"{start.isoformat()} to {end.isoformat()}" in texts["profit_and_loss"]
        generated = f"Generated {(end + timedelta(days=2)).isoformat()} 09:41 UTC"
        assert all(generated in text for text in texts.values())
        for content in files.values():  # every font embedded
            for page in PdfReader(io.BytesIO(content)).pages:
                for font in page["/Resources"]["/Font"].values():
                    descendant = font.get_object()["/DescendantFonts"][0].get_object()
                    assert "/FontFile2" in descendant["/FontDescriptor"]
    # The roll-forward read from the PDFs: December 2025's closing cash opens January 2026.
    closing = table(packages["2025-12"]["xlsx"]["balance_sheet"])["Cash"][0]
    january = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(packages["2026-01"]["pdf"]["cash_flow_statement"])).pages
    )
    assert f"Cash at beginning of period {format_cents(cents(closing))}" in january


def test_xlsx_totals_are_formulas_headers_frozen_percentages_numbers(packages) -> None:
    files = packages["2026-10"]["xlsx"]
    sheet = openpyxl.load_workbook(io.BytesIO(files["profit_and_loss"])).active
    labels = {row[0].value.strip(): row[1] for row in sheet.iter_rows(min_row=5) if row[0].value}
    assert labels["Total revenue"].value.startswith("=SUM(B")
    assert labels["Net income"].value.startswith("=")
    assert isinstance(labels["Product sales"].value, float)
    assert sheet.freeze_panes == "B5"
    budget = openpyxl.load_workbook(io.BytesIO(files["budget_vs_actual"])).active
    cached = openpyxl.load_workbook(io.BytesIO(files["budget_vs_actual"]), data_only=True).active
    rows = {row[0].value.strip(): row for row in budget.iter_rows(min_row=5) if row[0].value}
    revenue = rows["Product sales"]
    line = revenue[4].row
    assert "%" in revenue[4].number_format and revenue[4].value == f"=D{line}/ABS(C{line})"  # variance / |budget|
    assert isinstance(cached[revenue[4].coordinate].value, float)
    for label in ("Product sales", "Salaries and wages", "Rent", "Net income"):
        variance = cached[rows[label][3].coordinate].value
        verdict = cached[rows[label][5].coordinate].value
        income = label in ("Product sales", "Net income")
        assert verdict == ("Favourable" if (variance > 0) == income else "Unfavourable") or variance == 0, label
    assert any(k.startswith("Variance is actual minus budget") for k in rows)

    # A loss budgeted: the variance % has the variance's sign (of the budget's size), so a
    # favourable line never reads as a negative share and an unfavourable one as a positive.
    signed = 0
    for label in [f"{y}-{m:02d}" for y, m in MONTHS] + ["2026-Q3", "2026"]:
        for name, values in table(packages[label]["xlsx"]["budget_vs_actual"]).items():
            if isinstance(values[1], float | int) and values[1] and values[2]:
                assert (values[3] > 0) == (values[2] > 0), (label, name, values)
                signed += values[1] < 0
    assert signed > 0, "the fixture budgets a loss somewhere"


def _libreoffice() -> str | None:
    return shutil.which("soffice")


def test_libreoffice_recalculates_every_total_to_the_cached_cent(packages, tmp_path: Path) -> None:
    """Cached values blanked to 0 before LibreOffice loads the file, with its profile set to
    recalculate on load: the recalculated totals equal what the mock cached."""
    soffice = _libreoffice()
    if soffice is None:
        message = "LibreOffice is not installed (apt-get install libreoffice-calc; .ci/run does it)."
        if os.environ.get("DZ_LIBREOFFICE_TESTS") == "required":
            pytest.fail(message)
        pytest.skip(message)
    profile = tmp_path / "profile" / "user"
    profile.mkdir(parents=True)
    (profile / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item></oor:items>\n'
    )
    blanked, out = tmp_path / "in", tmp_path / "out"
    blanked.mkdir()
    originals = {}
    for label in ("2026-10", "2026"):
        for stem, content in packages[label]["xlsx"].items():
            name = f"{stem}_{label}.xlsx"
            originals[name] = content
            with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(blanked / name, "w") as target:
                for info in source.infolist():
                    data = source.read(info.filename)
                    if info.filename.startswith("xl/worksheets/"):
                        data = re.sub(rb"(<f>[^<]*</f>)<v>[^<]*</v>", rb"\1<v>0</v>", data)
                    target.writestr(info, data)
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to", "xlsx",
         "--outdir", str(out), *sorted(str(p) for p in blanked.iterdir())],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    checked = 0
    for name, content in originals.items():
        formulas = openpyxl.load_workbook(io.BytesIO(content)).active
        ours = openpyxl.load_workbook(io.BytesIO(content), data_only=True).active
        theirs = openpyxl.load_workbook(out / name, data_only=True).active
        for row in formulas.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    mine, recalculated = ours[cell.coordinate].value, theirs[cell.coordinate].value
                    assert recalculated == pytest.approx(mine, abs=0.005), (name, cell.coordinate, cell.value)
                    assert mine != 0 or recalculated == 0
                    checked += 1
    assert checked > 100


def test_the_close_score_reads_the_ledger_the_reports_show(packages) -> None:
    """The bank lines the readiness check calls unmatched are the bank reconciliation's
    book-side adjustments, and the transactions it counts are the month's."""
    for year, month in MONTHS[-3:]:
        start, end = month_span(year, month)
        activity = books_activity(11, "acme", start, end)
        rec = table(packages[f"{year}-{month:02d}"]["xlsx"]["bank_reconciliation"])
        adjustments = [k for k in rec if k.startswith(("Less: bank charges", "Add: interest earned")) and rec[k][0]]
        assert activity.unmatched_bank_lines == len(adjustments) > 0
        assert 0 < activity.uncategorized <= activity.unreviewed < activity.transaction_count
        # Every invoice of the month is a transaction: at least one per customer in the aging.
        customers = set(table(packages[f"{year}-{month:02d}"]["xlsx"]["ar_aging"])) - {"Total"}
        assert activity.transaction_count > len(customers)


def test_the_same_package_gives_the_same_bytes_in_a_fresh_process(packages) -> None:
    """A pool worker that starts cold walks the ledger from its opening; this process has its
    months cached in another order: the zip is the same to the byte."""
    import hashlib
    import sys

    start, end = month_span(2026, 10)
    code = (
        "import hashlib, sys; from datetime import date, datetime, UTC;"
        "from tests.mock_server.reports.test_books_over_time import spec;"
        "from mock_server.reports.archive import build_archive;"
        "s = spec(date(2026, 10, 1), date(2026, 10, 31), sys.argv[1]);"
        "print(hashlib.sha256(build_archive(s)).hexdigest())"
    )
    root = Path(__file__).resolve().parents[3]
    for fmt in ("xlsx", "pdf"):
        fresh = subprocess.run(
            [sys.executable, "-c", code, fmt], cwd=root, capture_output=True, text=True, timeout=120, check=True
        )
        here = hashlib.sha256(build_archive(spec(start, end, fmt))).hexdigest()
        assert fresh.stdout.strip() == here, fmt
