import pytest

from mock_server.testing import ACME_ID, GLOBEX_ID, INITECH_ID

LIST = "/api/v1/month-end-packages"


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer nope", "Basic ZHpfZGVtb19hY21lOg==", "dz_demo_acme", "Bearer dz_demo_expired"],
)
def test_missing_malformed_unknown_or_expired_token_is_401_with_bearer_challenge(client, authorization) -> None:
    headers = {"x-business-id": ACME_ID}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = client.get(LIST, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "token, business",
    [
        ("dz_demo_acme", GLOBEX_ID),  # a business the token may not use
        ("dz_demo_admin", INITECH_ID),  # no CFO Suite add-on
        ("dz_demo_acme", "44444444-4444-4444-8444-444444444444"),  # unknown business
    ],
)
def test_valid_token_on_a_business_it_may_not_use_is_403(client, token, business) -> None:
    response = client.get(LIST, headers={"Authorization": f"Bearer {token}", "x-business-id": business})
    assert response.status_code == 403
    assert response.json() == {"detail": "Not enough permissions"}


def test_admin_token_may_use_every_business_with_the_add_on(client) -> None:
    for business in (ACME_ID, GLOBEX_ID):
        assert (
            client.get(LIST, headers={"Authorization": "Bearer dz_demo_admin", "x-business-id": business}).status_code
            == 200
        )


def test_missing_or_non_uuid_business_header_is_422_on_the_header(client) -> None:
    response = client.get(LIST, headers={"Authorization": "Bearer dz_demo_acme"})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"type": "missing", "loc": ["header", "x-business-id"], "msg": "Field required", "input": None}
    ]
    response = client.get(LIST, headers={"Authorization": "Bearer dz_demo_acme", "x-business-id": "acme"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["type"] == "uuid_parsing" and error["loc"] == ["header", "x-business-id"] and error["input"] == "acme"


def test_resources_of_another_business_are_404(client) -> None:
    from tests.conftest import ACME, create

    package_id = create(client).json()["package"]["id"]
    globex = {"Authorization": "Bearer dz_demo_globex", "x-business-id": GLOBEX_ID}
    for path in (f"{LIST}/{package_id}", f"{LIST}/{package_id}/download"):
        response = client.get(path, headers=globex)
        assert response.status_code == 404 and response.json() == {"detail": "Resource not found"}
    assert client.get(LIST, headers=globex).json()["items"] == []
    acme_period = client.get("/api/v1/accounting-periods?limit=1", headers=ACME).json()["items"][0]["id"]
    response = create(client, headers=globex, accounting_period_id=acme_period)
    assert response.status_code == 404
