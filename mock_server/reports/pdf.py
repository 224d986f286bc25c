"""Reports as PDF (fpdf2), byte-for-byte reproducible.

A table row is as tall as its tallest cell: a header or label wider than its column wraps
onto more lines instead of running into the next column. A row that does not fit goes to a
new page, under the column headers again. Every page ends with its number and a line saying
when (the moment the package became ready) and by what it was generated. The text is set in
DejaVu Sans Condensed, embedded (subset) in the file, so every reader shows the same glyphs and
any name prints as written.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from fpdf import FPDF

from mock_server.reports.documents import Report
from mock_server.reports.money import format_cents

LINE_MM = 5.0  # one line of 9 pt text
FONT = "DejaVu"
FONTS = Path(__file__).parent / "fonts"


def format_cell(value: int | float | str | None) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return format_cents(value)
    if isinstance(value, float):
        return f"{value * 100:.1f}%"
    return value


class _ReportPdf(FPDF):
    def __init__(self, report: Report, issued: datetime) -> None:
        super().__init__(orientation="L" if len(report.columns) > 3 else "P", unit="mm", format="A4")
        self.add_font(FONT, "", FONTS / "DejaVuSansCondensed.ttf")
        self.add_font(FONT, "B", FONTS / "DejaVuSansCondensed-Bold.ttf")
        self._generated = f"Generated {issued.astimezone(UTC):%Y-%m-%d %H:%M} UTC by dayzero-mock (mock data)"
        self.set_auto_page_break(auto=False, margin=18)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, "", 8)
        self.set_text_color(110)
        self.cell(self.epw - 30, 5, self._generated)
        self.cell(30, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)


def render_pdf(report: Report, *, issued: datetime) -> bytes:
    """One report as a PDF document; ``issued`` fixes the creation date for reproducibility."""
    pdf = _ReportPdf(report, issued)
    pdf.set_creation_date(issued.astimezone(UTC))
    pdf.set_title(f"{report.title} - {report.subtitle}")
    pdf.set_author("DayZero mock")
    pdf.set_creator("dayzero-mock")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.cell(0, 10, report.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(0, 6, report.subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    value_columns = len(report.columns) - 1
    value_width = min(38.0, (pdf.epw * 0.62) / max(1, value_columns))
    widths = [pdf.epw - value_width * value_columns] + [value_width] * value_columns
    aligns = ["L"] + ["R"] * value_columns
    header = [column for column in report.columns]

    def draw_header() -> None:
        _row(pdf, header, widths, aligns, style="B", border="B")

    draw_header()
    for row in report.rows:
        if row.kind == "note":
            pdf.ln(2)
            pdf.set_font(FONT, "", 8)
            pdf.set_text_color(90)
            if pdf.get_y() + 3 * LINE_MM > pdf.page_break_trigger:
                pdf.add_page()
            pdf.multi_cell(0, 4, row.label, new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0)
            continue
        style = "B" if row.kind in ("total", "section") else ""
        indent = "" if row.kind != "line" else "  "
        values = [format_cell(v) for v in row.values]
        cells = [indent + row.label] + values
        cells += [""] * (len(widths) - len(cells))  # a section row has no values
        if pdf.get_y() + _height(pdf, cells, widths, style) > pdf.page_break_trigger:
            pdf.add_page()
            draw_header()
        _row(pdf, cells, widths, aligns, style=style, border="T" if row.kind == "total" else "")
    return bytes(pdf.output())


def _lines(pdf: FPDF, text: str, width: float) -> int:
    """How many lines ``text`` takes in a cell ``width`` wide (the cell margin included)."""
    if "\n" not in text and pdf.get_string_width(text) + 2 * pdf.c_margin < width - 0.01:
        return 1  # the usual case, without laying the text out
    lines = cast(list[str], pdf.multi_cell(width, LINE_MM, text, dry_run=True, output="LINES"))
    return max(1, len(lines))


def _height(pdf: FPDF, cells: list[str], widths: list[float], style: str) -> float:
    pdf.set_font(FONT, style, 9)
    return LINE_MM * max(_lines(pdf, text, width) for text, width in zip(cells, widths, strict=True))


def _row(pdf: FPDF, cells: list[str], widths: list[float], aligns: list[str], *, style: str, border: str) -> None:
    """One table row: every cell wrapped within its column, the row as tall as its tallest cell."""
    height = _height(pdf, cells, widths, style)
    top = pdf.get_y()
    x = pdf.l_margin
    for text, width, align in zip(cells, widths, aligns, strict=True):
        pdf.set_xy(x, top)
        if _lines(pdf, text, width) == 1:  # cell() draws one line for a fraction of multi_cell's cost
            pdf.cell(width, LINE_MM, text, align=align)
        else:
            pdf.multi_cell(width, LINE_MM, text, align=align, new_x="RIGHT", new_y="TOP")
        if border:
            y = top + height if border == "B" else top
            pdf.line(x, y, x + width, y)
        x += width
    pdf.set_xy(pdf.l_margin, top + height)
