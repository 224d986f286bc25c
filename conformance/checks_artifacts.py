"""The finished zip (download page, CONTRACT.md: download, create-package: report keys and formats)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook
from pypdf import PdfReader

from conformance.context import RunContext
from conformance.http import Exchange
from conformance.registry import ARTIFACTS, MUST, SHOULD, check
from dayzero_mock_kit.openapi.operations import Operation

DOWNLOAD = (Operation.GET_DOWNLOAD_URL.route,)


def _download(ctx: RunContext, report_format: str) -> tuple[dict, Exchange, dict, Exchange]:
    package = ctx.ready_package(report_format)
    exchange = ctx.client.get(Operation.GET_DOWNLOAD_URL.path.format(package_id=package["id"]))
    ctx.expect_status(exchange, {200}, "a ready package has a download URL")
    link = exchange.json()
    missing = [f for f in ("package_id", "filename", "download_url", "expires_at") if not link.get(f)]
    ctx.expect(
        not missing,
        "the download answer has its required fields",
        expected="package_id, filename, download_url, expires_at",
        actual=f"missing {missing}",
        exchange=exchange,
    )
    # The URL is presigned: fetched as is, without the API's headers.
    fetched = ctx.anonymous.get(link["download_url"], absolute=True, replace_headers=True)
    return package, exchange, link, fetched


@check(
    "ARTIFACT-DOWNLOAD-URL",
    "A ready package gives a working, fresh download URL",
    level=MUST,
    layer=ARTIFACTS,
    creates_data=True,
    operations=DOWNLOAD,
    source="MEP/get-download-url: a short-lived presigned URL, a fresh one per call (F/package)",
    traffic=("download-url-fresh",),
    rationale="Documented: download returns a short-lived presigned URL, a fresh one per call.",
)
def download_url(ctx: RunContext) -> None:
    package, exchange, link, fetched = _download(ctx, "pdf")
    ctx.expect(
        link["package_id"] == package["id"],
        "the answer names the package",
        expected=package["id"],
        actual=str(link["package_id"]),
        exchange=exchange,
    )
    ctx.expect_status(fetched, {200}, "the presigned URL serves the file")
    again = ctx.client.get(Operation.GET_DOWNLOAD_URL.path.format(package_id=package["id"])).json()
    ctx.expect(
        again.get("download_url") != link["download_url"],
        "each call mints a fresh URL (SHOULD-level note)",
        expected="a different URL on the second call",
        actual="the same URL",
        exchange=ctx.client.last,
    )


@check(
    "ARTIFACT-ZIP-SIZE",
    "The zip is valid and as long as file_size_bytes says",
    level=MUST,
    layer=ARTIFACTS,
    creates_data=True,
    operations=DOWNLOAD,
    source="MEP/get-download-url + MonthEndPackageResponse: file_size_bytes",
    traffic=("file-size", "zip"),
    rationale="Documented: file_size_bytes is the final zip size, on the package and on the download answer.",
)
def zip_size(ctx: RunContext) -> None:
    package, exchange, link, fetched = _download(ctx, "pdf")
    ctx.expect_status(fetched, {200}, "the presigned URL serves the file")
    try:
        zipfile.ZipFile(io.BytesIO(fetched.content)).testzip()
    except zipfile.BadZipFile as error:
        ctx.fail("the file is a valid zip", expected="a zip archive", actual=str(error), exchange=fetched)
    size = len(fetched.content)
    ctx.expect(
        package.get("file_size_bytes") == size,
        "the package's file_size_bytes is the zip's length",
        expected=f"{size} bytes",
        actual=f"file_size_bytes {package.get('file_size_bytes')}",
        exchange=exchange,
    )
    if link.get("file_size_bytes") is not None:
        ctx.expect(
            link["file_size_bytes"] == size,
            "the download answer's file_size_bytes is the zip's length",
            expected=f"{size} bytes",
            actual=f"file_size_bytes {link['file_size_bytes']}",
            exchange=exchange,
        )


@check(
    "ARTIFACT-REPORTS",
    "One readable file per selected report, in the chosen format",
    level=MUST,
    layer=ARTIFACTS,
    creates_data=True,
    operations=DOWNLOAD,
    source="MEP/create-package: selected_reports and report_format descriptions",
    traffic=("zip-reports",),
    rationale="Documented: selected_reports are the reports included; report_format is the per-report format.",
)
def reports_in_zip(ctx: RunContext) -> None:
    for report_format in ("pdf", "xlsx") if ctx.settings.tier == "full" else ("xlsx",):
        package, _, _, fetched = _download(ctx, report_format)
        ctx.expect_status(fetched, {200}, "the presigned URL serves the file")
        archive = zipfile.ZipFile(io.BytesIO(fetched.content))
        names = [n for n in archive.namelist() if not n.endswith("/")]
        expected = len(package["selected_reports"])
        ctx.expect(
            len(names) == expected,
            "one file per selected report",
            expected=f"{expected} files for {package['selected_reports']}",
            actual=f"{len(names)}: {names}",
            exchange=fetched,
        )
        for name in names:
            ctx.expect(
                name.lower().endswith(f".{report_format}"),
                f"{name} is a {report_format} file",
                expected=f"*.{report_format}",
                actual=name,
                exchange=fetched,
            )
            data = archive.read(name)
            try:
                if report_format == "pdf":
                    PdfReader(io.BytesIO(data)).pages[0].extract_text()
                else:
                    load_workbook(io.BytesIO(data), read_only=True).close()
            except Exception as error:  # any parser failure means the file does not open
                ctx.fail(
                    f"{name} opens in a real reader",
                    expected=f"a valid {report_format}",
                    actual=f"{error.__class__.__name__}: {error}",
                    exchange=fetched,
                )


@check(
    "ARTIFACT-FILENAME",
    "The filename is consistent",
    level=SHOULD,
    layer=ARTIFACTS,
    creates_data=True,
    operations=DOWNLOAD,
    source="inferred: filename (the suggested attachment name) is the same on package and download",
    traffic=("filename",),
    rationale="Documented: filename is the suggested attachment name (same on package and download).",
)
def filename(ctx: RunContext) -> None:
    package, exchange, link, fetched = _download(ctx, "pdf")
    ctx.expect(
        link["filename"] == package.get("filename") and link["filename"].endswith(".zip"),
        "the download's filename is the package's, a .zip",
        expected=f"{package.get('filename')} (.zip)",
        actual=link["filename"],
        exchange=exchange,
    )
    disposition = fetched.response_headers.get("content-disposition", "")
    ctx.expect(
        not disposition or link["filename"] in disposition,
        "the file is served under that name",
        expected=f"Content-Disposition naming {link['filename']}",
        actual=disposition,
        exchange=fetched,
    )


@check(
    "ARTIFACT-NOT-READY",
    "Downloading an unfinished package is a 400",
    level=SHOULD,
    layer=ARTIFACTS,
    creates_data=True,
    operations=DOWNLOAD,
    source="inferred: download declares 400, read as 'package not ready'",
    traffic=("download-when-ready",),
    rationale="Inferred: download declares 400, whose meaning is 'package not ready'.",
)
def not_ready(ctx: RunContext) -> None:
    _, package = ctx.create(ctx.valid_body())
    exchange = ctx.client.get(Operation.GET_DOWNLOAD_URL.path.format(package_id=package["id"]))
    if exchange.status == 200:
        # Statuses never go backward: a package still unfinished after the answer was unfinished when asked.
        after = ctx.client.get(Operation.GET_PACKAGE.path.format(package_id=package["id"]))
        status = (after.json() or {}).get("status") if after.status == 200 else None
        if status == "ready":
            ctx.skip("the package was already ready when asked (builds too fast to observe)")
        ctx.fail(
            "a download URL was handed out for a package that is not ready",
            expected="400 while the package is queued or in_progress",
            actual=f"200 with a URL; the package was still {status} afterwards",
            exchange=exchange,
        )
    ctx.expect_status(exchange, {400}, "a package that is not ready cannot be downloaded yet")
