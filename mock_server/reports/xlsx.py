"""Reports as XLSX workbooks (xlsxwriter), byte-for-byte reproducible."""

from __future__ import annotations

import io
from datetime import datetime

import xlsxwriter

from mock_server.reports.documents import Report


def render_xlsx(report: Report, *, issued: datetime) -> bytes:
    """One report as a workbook with one sheet; money cells are numbers with a money format."""
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
    heading = workbook.add_format({"bold": True, "font_size": 14})
    money = workbook.add_format({"num_format": "#,##0.00;(#,##0.00)"})
    money_total = workbook.add_format({"num_format": "#,##0.00;(#,##0.00)", "bold": True, "top": 1})
    header = workbook.add_format({"bold": True, "bottom": 1, "align": "right"})

    sheet.write(0, 0, report.title, heading)
    sheet.write(1, 0, report.subtitle)
    sheet.write(3, 0, report.columns[0], workbook.add_format({"bold": True, "bottom": 1}))
    for col, name in enumerate(report.columns[1:], start=1):
        sheet.write(3, col, name, header)
    for offset, row in enumerate(report.rows):
        line = 4 + offset
        sheet.write(
            line, 0, row.label if row.kind != "line" else f"  {row.label}", bold if row.kind != "line" else None
        )
        for col, value in enumerate(row.values, start=1):
            if isinstance(value, int):
                sheet.write_number(line, col, value / 100, money_total if row.kind == "total" else money)
            elif value:
                sheet.write_string(line, col, value)
    sheet.set_column(0, 0, 48)
    sheet.set_column(1, len(report.columns), 18)
    workbook.close()
    return buffer.getvalue()
