"""Reports as XLSX workbooks (xlsxwriter), byte-for-byte reproducible.

Money cells are numbers with an accounting format, ratios numbers with a percent format.
Subtotals and totals are formulas (``=SUM(B5:B7)``) with their values cached, so a viewer that
does not recalculate shows the same figures as one that does. The rows above the table and its
column headers stay frozen while scrolling.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from mock_server.reports.documents import Report

FIRST_ROW = 4  # the table's first row (0-based): title, subtitle, a blank row, the column headers
MONEY = "#,##0.00;(#,##0.00)"
PERCENT = "0.0%;-0.0%"
_REFERENCE = re.compile(r"\{(?:r(\d+))?(?:c(\d+))?\}")


def excel_formula(template: str, row: int, column: int) -> str:
    """A documents.py template as an A1 formula, for the cell of report row ``row`` and value
    column ``column``."""

    def cell(match: re.Match[str]) -> str:
        target_row = int(match.group(1)) if match.group(1) is not None else row
        target_column = int(match.group(2)) if match.group(2) is not None else column
        return xl_rowcol_to_cell(FIRST_ROW + target_row, 1 + target_column)

    return "=" + _REFERENCE.sub(cell, template)


def render_xlsx(report: Report, *, issued: datetime) -> bytes:
    """One report as a workbook with one sheet."""
    buffer = io.BytesIO()
    # xlsxwriter stamps zip members with a fixed date; `created` fixes the document properties.
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties(
        {
            "title": report.title,
            "subject": report.subtitle,
            "author": "DayZero mock",
            "created": issued.replace(tzinfo=None),
        }
    )
    sheet = workbook.add_worksheet(report.title[:31])
    bold = workbook.add_format({"bold": True})
    note = workbook.add_format({"italic": True, "font_color": "#555555", "text_wrap": True, "valign": "top"})
    heading = workbook.add_format({"bold": True, "font_size": 14})
    formats = {
        (kind, style): workbook.add_format(
            {"num_format": MONEY if style == "money" else PERCENT}
            | ({"bold": True, "top": 1} if kind == "total" else {})
        )
        for kind in ("line", "total")
        for style in ("money", "percent")
    }
    text_total = workbook.add_format({"bold": True, "top": 1, "align": "right"})
    text_line = workbook.add_format({"align": "right"})
    header = workbook.add_format({"bold": True, "bottom": 1, "align": "right", "text_wrap": True})

    sheet.write(0, 0, report.title, heading)
    sheet.write(1, 0, report.subtitle)
    sheet.write(FIRST_ROW - 1, 0, report.columns[0], workbook.add_format({"bold": True, "bottom": 1}))
    for col, name in enumerate(report.columns[1:], start=1):
        sheet.write(FIRST_ROW - 1, col, name, header)
    for offset, row in enumerate(report.rows):
        line = FIRST_ROW + offset
        if row.kind == "note":
            sheet.merge_range(line, 0, line, len(report.columns) - 1, row.label, note)
            sheet.set_row(line, 30)
            continue
        kind = "total" if row.kind == "total" else "line"
        sheet.write(
            line, 0, row.label if row.kind != "line" else f"  {row.label}", bold if row.kind != "line" else None
        )
        for index, value in enumerate(row.values):
            col = 1 + index
            formula = row.formulas[index] if index < len(row.formulas) else None
            if isinstance(value, bool) or value is None:
                continue
            if isinstance(value, int):
                cell_format, cached = formats[(kind, "money")], value / 100
            elif isinstance(value, float):
                cell_format, cached = formats[(kind, "percent")], value
            else:
                sheet.write_string(line, col, value, text_total if kind == "total" else text_line)
                continue
            if formula is None:
                sheet.write_number(line, col, cached, cell_format)
            else:
                sheet.write_formula(line, col, excel_formula(formula, offset, index), cell_format, cached)
    generated = f"Generated {issued.astimezone(UTC):%Y-%m-%d %H:%M} UTC by dayzero-mock (mock data)"
    sheet.write(
        FIRST_ROW + len(report.rows) + 1, 0, generated, workbook.add_format({"italic": True, "font_color": "#555555"})
    )
    sheet.freeze_panes(FIRST_ROW, 1)
    # Printed: one page wide, landscape for the wide tables, the column headers on every page.
    if len(report.columns) > 3:
        sheet.set_landscape()
    sheet.set_paper(9)  # A4, as the PDF
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(FIRST_ROW - 1)
    sheet.set_column(0, 0, 48)
    sheet.set_column(1, len(report.columns), 18)
    workbook.close()
    return buffer.getvalue()
