import io
import zipfile
from datetime import date

import openpyxl
import pytest
from pypdf import PdfReader

from mock_server.reports.archive import ArchiveSpec, build_archive
from mock_server.reports.ledger import make_books
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
    sheet = openpyxl.load_workbook(io.BytesIO(files["01_profit_and_loss_2026-10.xlsx"])).active
    rows = {row[0].strip(): row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert rows["Net income"] == pytest.approx(books.net_income / 100)
    sheet = openpyxl.load_workbook(io.BytesIO(files["02_balance_sheet_2026-10.xlsx"])).active
    rows = {row[0].strip(): row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert rows["Total assets"] == pytest.approx(rows["Total liabilities and equity"])


def test_filename_names_the_business_and_the_period() -> None:
    assert spec("pdf").filename == "acme-demo-co_month-end_2026-10-01_2026-10-31.zip"


@pytest.mark.parametrize(
    "start, end",
    [(date(1, 1, 1), date(1, 1, 1)), (date(9999, 12, 1), date(9999, 12, 31)), (date(2026, 2, 1), date(2027, 1, 31))],
)
def test_any_valid_period_builds_an_archive(start, end) -> None:
    odd = ArchiveSpec(
        seed=1, business_id="b", business_name="X", period_start=start, period_end=end, report_format="pdf", reports=ALL
    )
    assert len(members(build_archive(odd))) == len(ALL)
