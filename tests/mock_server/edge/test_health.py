"""``GET /healthz`` (ours, openapi/health.yaml): always on, no token, 503 when the store is gone."""

from __future__ import annotations

from pathlib import Path

import yaml
from jsonschema import Draft202012Validator
from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.settings import Settings

HEALTH_DOCUMENT = yaml.safe_load((Path(__file__).resolve().parents[3] / "openapi" / "health.yaml").read_text())


def schema_of(status: int) -> Draft202012Validator:
    operation = HEALTH_DOCUMENT["paths"]["/healthz"]["get"]
    schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": HEALTH_DOCUMENT["components"]})


def test_healthy_mock_answers_ok_on_every_store_without_a_token(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    schema_of(200).validate(response.json())
    assert response.headers["cache-control"] == "no-store"
    assert client.head("/healthz").status_code == 200
    journal = client.get("/__mock/requests").json()
    assert all(record["path"] != "/healthz" for record in journal["items"]), "probes stay out of the journal"


def test_health_is_on_without_the_control_api_and_not_steered() -> None:
    settings = Settings(clock="frozen", control=False, chaos=1.0)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:4010") as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/__mock/state").status_code == 404


def test_a_store_that_does_not_answer_is_503_with_a_detail(tmp_path) -> None:
    settings = Settings(clock="frozen", store=f"sqlite:///{tmp_path / 'mock.db'}")
    with TestClient(create_app(settings), base_url="http://127.0.0.1:4010") as client:
        client.app.runtime.store.close()  # the database connection is gone
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    schema_of(503).validate(body)
    assert body["status"] == "unavailable" and "sqlite store does not answer" in body["detail"]
    assert str(tmp_path) not in body["detail"], "never the store's URL (it may hold a password)"
