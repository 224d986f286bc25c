"""The package zip: one rendered report per selected key, reproducible to the byte.

Each file is named by its position, its report and the span it covers: ``2026-10`` (a
calendar month), ``2026-Q3`` (a calendar quarter), ``2026`` (a calendar year), or
``2026-01-15_2026-02-14`` for any other span. "Generated" on every page, the documents'
creation dates and the zip's timestamps are the moment the package became ready.
"""

from __future__ import annotations

import calendar
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from mock_server.reports.books import make_books
from mock_server.reports.documents import build_report
from mock_server.reports.pdf import render_pdf
from mock_server.reports.xlsx import render_xlsx

FILE_STEMS = {
    "pl": "profit_and_loss",
    "balance_sheet": "balance_sheet",
    "cash_flow": "cash_flow_statement",
    "ar_aging": "ar_aging",
    "ap_aging": "ap_aging",
    "budget_vs_actual": "budget_vs_actual",
    "bank_reconciliation": "bank_reconciliation",
}


@dataclass(frozen=True)
class ArchiveSpec:
    """Everything the zip's bytes depend on."""

    seed: int
    business_id: str
    business_name: str
    period_start: date
    period_end: date
    report_format: str
    reports: tuple[str, ...]
    generated_at: datetime | None = None  # when the package became ready (None: the day after the period)

    @property
    def filename(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.business_name.lower()).strip("-") or "business"
        return f"{slug}_month-end_{self.period_start.isoformat()}_{self.period_end.isoformat()}.zip"

    def member_names(self) -> list[str]:
        span = span_label(self.period_start, self.period_end)
        return [
            f"{index:02d}_{FILE_STEMS[key]}_{span}.{self.report_format}"
            for index, key in enumerate(self.reports, start=1)
        ]

    @property
    def issued(self) -> datetime:
        """The "Generated" moment of every file."""
        if self.generated_at is not None:
            return self.generated_at.astimezone(UTC)
        after = self.period_end + timedelta(days=1) if self.period_end < date.max else self.period_end
        return datetime(after.year, after.month, after.day, tzinfo=UTC)


def span_label(start: date, end: date) -> str:
    """``2026-10``, ``2026-Q3``, ``2026``, or ``<start>_<end>`` for a span that is none of them."""
    month_end = calendar.monthrange(end.year, end.month)[1]
    if start.day != 1 or end.day != month_end or start.year != end.year:
        return f"{start.isoformat()}_{end.isoformat()}"
    if start.month == end.month:
        return f"{start:%Y-%m}"
    if start.month == 1 and end.month == 12:
        return f"{start.year:04d}"
    if start.month % 3 == 1 and end.month == start.month + 2:
        return f"{start.year:04d}-Q{start.month // 3 + 1}"
    return f"{start.isoformat()}_{end.isoformat()}"


def build_archive(spec: ArchiveSpec) -> bytes:
    """Render every selected report and zip them, with fixed timestamps."""
    books = make_books(
        seed=spec.seed,
        business_id=spec.business_id,
        business_name=spec.business_name,
        period_start=spec.period_start,
        period_end=spec.period_end,
    )
    issued = spec.issued
    # Zip timestamps can only say 1980-2107: clamp periods outside that range.
    moment = (issued.year, issued.month, issued.day, issued.hour, issued.minute, issued.second // 2 * 2)
    stamp = min(max(moment, (1980, 1, 1, 0, 0, 0)), (2107, 12, 31, 23, 59, 58))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for key, name in zip(spec.reports, spec.member_names(), strict=True):
            report = build_report(key, books)
            content = (
                render_pdf(report, issued=issued) if spec.report_format == "pdf" else render_xlsx(report, issued=issued)
            )
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()
