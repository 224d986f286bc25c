import io
import zipfile
from urllib.parse import urlsplit

from tests.conftest import ACME, advance, create

PACKAGES = "/api/v1/month-end-packages"


def ready_package(client, **body):
    package = create(client, **body).json()["package"]
    advance(client, 10)
    return client.get(f"{PACKAGES}/{package['id']}", headers=ACME).json()


def relative(url: str) -> str:
    parts = urlsplit(url)
    assert parts.netloc == "127.0.0.1:4010", "the URL points back at the mock"
    return f"{parts.path}?{parts.query}"


def test_not_ready_or_failed_package_is_400_saying_why(client) -> None:
    package = create(client).json()["package"]
    response = client.get(f"{PACKAGES}/{package['id']}/download", headers=ACME)
    assert response.status_code == 400 and "not ready" in response.json()["detail"]
    failed = client.post(
        PACKAGES,
        headers={**ACME, "Prefer": "outcome=failed"},
        json={"selected_reports": ["pl"], "period_start": "2026-10-01", "period_end": "2026-10-31"},
    )
    advance(client, 10)
    response = client.get(f"{PACKAGES}/{failed.json()['package']['id']}/download", headers=ACME)
    assert response.status_code == 400 and "failed" in response.json()["detail"]


def test_download_gives_a_fresh_signed_url_to_the_zip(client) -> None:
    package = ready_package(client, selected_reports=["pl", "ar_aging"], report_format="xlsx")
    first = client.get(f"{PACKAGES}/{package['id']}/download", headers=ACME).json()
    second = client.get(f"{PACKAGES}/{package['id']}/download", headers=ACME).json()
    assert first["download_url"] != second["download_url"]
    assert first["filename"] == package["filename"]
    assert first["file_size_bytes"] == package["file_size_bytes"]
    assert first["expires_at"] > package["ready_at"]
    response = client.get(relative(first["download_url"]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert int(response.headers["content-length"]) == len(response.content) == package["file_size_bytes"]
    assert response.headers["content-disposition"] == f'attachment; filename="{package["filename"]}"'
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert names == ["01_profit_and_loss_2026-10.xlsx", "02_ar_aging_2026-10.xlsx"]
    assert client.get(relative(second["download_url"])).content == response.content, "byte-identical zip"


def test_tampered_or_expired_urls_are_403_like_s3(client) -> None:
    package = ready_package(client)
    url = relative(client.get(f"{PACKAGES}/{package['id']}/download", headers=ACME).json()["download_url"])
    tampered = url.replace("X-Amz-Expires=900", "X-Amz-Expires=90000")
    response = client.get(tampered)
    assert response.status_code == 403 and b"SignatureDoesNotMatch" in response.content
    advance(client, 901)
    response = client.get(url)
    assert response.status_code == 403 and b"Request has expired" in response.content


def test_served_contract_is_the_bundle_itself(client) -> None:
    from dayzero_mock_kit.openapi import load_contract

    assert client.get("/openapi.json").json() == load_contract().bundle
    assert client.get("/openapi.yaml").headers["content-type"].startswith("application/yaml")
    assert client.get("/__mock/openapi.json").json()["info"]["title"].startswith("DayZero mock control API")
    docs = client.get("/docs/")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_cors_lets_a_browser_app_on_another_origin_call_the_mock(client) -> None:
    preflight = client.options(
        PACKAGES,
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,x-business-id,content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in ("*", "http://localhost:5173")
    response = client.get(PACKAGES, headers={**ACME, "Origin": "http://localhost:5173"})
    assert response.headers["access-control-allow-origin"] == "*"


def test_links_point_at_the_address_the_request_came_to(client) -> None:
    """Behind `docker run -p 8080:4010` (or a proxy keeping Host) the link reaches the mock."""
    package = ready_package(client)
    seen_as = {**ACME, "Host": "localhost:8080"}
    link = client.get(f"{PACKAGES}/{package['id']}/download", headers=seen_as).json()["download_url"]
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc) == ("http", "localhost:8080")
    assert client.get(f"{parts.path}?{parts.query}").status_code == 200, "the Host is not signed: the link works"


def test_public_url_wins_over_the_request_address() -> None:
    from starlette.testclient import TestClient

    from mock_server.app import create_app
    from mock_server.settings import Settings

    settings = Settings(clock="frozen", queue_seconds=0, build_seconds=0, public_base_url="https://mock.example.com/")
    with TestClient(create_app(settings), base_url="http://127.0.0.1:4010") as client:
        package = create(client).json()["package"]
        advance(client, 1)
        headers = {**ACME, "Host": "localhost:8080"}
        link = client.get(f"{PACKAGES}/{package['id']}/download", headers=headers).json()["download_url"]
    assert link.startswith(f"https://mock.example.com/__files/{package['id']}/")
