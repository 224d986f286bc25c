"""The README's journey with a client openapi-python-client generated from the mock's bundle, unmodified:
create a package, poll it until it is ready, get the download URL, fetch and unzip the file.

Usage: python clients/python/flow.py PACKAGE BASE_URL bare|envelope
(PACKAGE: the generated client's import name; tests/test_clients.py generates it and runs this.)
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
import sys
import time
import zipfile
from typing import Any

import httpx

ACME = "11111111-1111-4111-8111-111111111111"


def main(package: str, base_url: str, generation: str) -> dict[str, Any]:
    client_module = importlib.import_module(f"{package}.client")
    models = importlib.import_module(f"{package}.models")
    api = f"{package}.api.month_end_packages"
    create = importlib.import_module(f"{api}.create_package_api_v1_month_end_packages_post")
    get = importlib.import_module(f"{api}.get_package_api_v1_month_end_packages_package_id_get")
    download = importlib.import_module(f"{api}.get_download_url_api_v1_month_end_packages_package_id_download_get")

    def model(answer: Any) -> Any:
        """The model of a typed answer: inside `data` in the envelope generation."""
        if answer is None or isinstance(answer, models.HTTPValidationError):
            raise SystemExit(f"the call failed: {answer!r}")
        return answer.data if generation == "envelope" else answer

    client = client_module.Client(
        base_url=base_url, headers={"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME}
    )
    body = models.MonthEndPackageCreateRequest(
        selected_reports=["pl", "balance_sheet", "cash_flow"],
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 10, 31),
        report_format=models.MonthEndPackageFormatEnum.XLSX,
    )
    package_model = model(create.sync(client=client, body=body)).package
    status = package_model.status
    for _ in range(200):
        if status.value in ("ready", "failed"):
            break
        time.sleep(0.05)
        status = model(get.sync(package_id=package_model.id, client=client)).status
    link = model(download.sync(package_id=package_model.id, client=client))
    zipped = httpx.get(link.download_url).content
    files = sorted(zipfile.ZipFile(io.BytesIO(zipped)).namelist())
    return {
        "generation": generation,
        "status": status.value,
        "size": len(zipped),
        "fileSize": link.file_size_bytes,
        "files": files,
    }


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])))
