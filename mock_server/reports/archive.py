"""The package zip: one rendered report per selected key, reproducible to the byte."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime

from mock_server.reports.documents import build_report
from mock_server.reports.ledger import make_books
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

    @property
    def filename(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.business_name.lower()).strip("-") or "business"
        return f"{slug}_month-end_{self.period_start.isoformat()}_{self.period_end.isoformat()}.zip"

    def member_names(self) -> list[str]:
        month = f"{self.period_start:%Y-%m}"
        return [
            f"{index:02d}_{FILE_STEMS[key]}_{month}.{self.report_format}"
            for index, key in enumerate(self.reports, start=1)
        ]


def build_archive(spec: ArchiveSpec) -> bytes:
    """Render every selected report and zip them, with fixed timestamps."""
    books = make_books(
        seed=spec.seed,
        business_id=spec.business_id,
        business_name=spec.business_name,
        period_start=spec.period_start,
        period_end=spec.period_end,
    )
    issued = datetime(spec.period_end.year, spec.period_end.month, spec.period_end.day, tzinfo=UTC)
    # Zip timestamps can only say 1980-2107: clamp periods outside that range.
    stamp = min(max((issued.year, issued.month, issued.day), (1980, 1, 1)), (2107, 12, 31)) + (0, 0, 0)
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
