"""Reports as PDF (fpdf2), byte-for-byte reproducible."""

from __future__ import annotations

from datetime import UTC, datetime

from fpdf import FPDF

from mock_server.reports.documents import Report
from mock_server.reports.money import format_cents


def _latin1(text: str) -> str:
    # The core PDF fonts cover Latin-1 only; anything else shows as "?".
    return text.encode("latin-1", "replace").decode("latin-1")


def render_pdf(report: Report, *, issued: datetime) -> bytes:
    """One report as a PDF document; ``issued`` fixes the creation date for reproducibility."""
    pdf = FPDF(orientation="L" if len(report.columns) > 3 else "P", unit="mm", format="A4")
    pdf.set_creation_date(issued.astimezone(UTC))
    pdf.set_title(_latin1(f"{report.title} - {report.subtitle}"))
    pdf.set_author("DayZero mock")
    pdf.set_creator("dayzero-mock")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1(report.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, _latin1(report.subtitle), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    width = pdf.epw
    value_columns = len(report.columns) - 1
    value_width = min(34.0, (width * 0.6) / max(1, value_columns))
    label_width = width - value_width * value_columns
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(label_width, 7, _latin1(report.columns[0]), border="B")
    for column in report.columns[1:]:
        pdf.cell(value_width, 7, _latin1(column), border="B", align="R")
    pdf.ln()
    for row in report.rows:
        style = "B" if row.kind in ("total", "section") else ""
        pdf.set_font("Helvetica", style, 9)
        indent = "" if row.kind != "line" else "  "
        pdf.cell(label_width, 6, _latin1(indent + row.label), border="T" if row.kind == "total" else 0)
        for value in row.values:
            text = format_cents(value) if isinstance(value, int) else (value or "")
            pdf.cell(value_width, 6, _latin1(text), border="T" if row.kind == "total" else 0, align="R")
        pdf.ln()
    return bytes(pdf.output())
