"""The proxy's fast path vouches only for what is valid; everything else goes to openapi-core."""

from __future__ import annotations

import json

from conformance.traffic.compiled import CompiledContract
from dayzero_mock_kit.openapi import load_contract

LIST = "list_packages_api_v1_month_end_packages_get"
CREATE = "create_package_api_v1_month_end_packages_post"
REVOKE = "delete_period_sign_off_api_v1_accounting_periods__period_id__sign_offs_delete"
PAGE = {
    "items": [],
    "total": None,
    "limit": 20,
    "next_cursor": None,
    "prev_cursor": None,
    "has_next": False,
    "has_prev": False,
}


def test_valid_exchanges_skip_openapi_core_and_invalid_ones_do_not() -> None:
    contract = CompiledContract(load_contract("bare").bundle)
    listing, create, revoke = contract.get(LIST), contract.get(CREATE), contract.get(REVOKE)
    assert listing is not None and create is not None and revoke is not None
    assert listing.request_is_valid([("limit", "20"), ("descending", "false")], "application/json", b"")
    for query in ([("limit", "0")], [("limit", "lots")], [("descending", "yes")], [("limit", "1"), ("limit", "2")]):
        assert not listing.request_is_valid(query, "application/json", b""), query
    body = {"selected_reports": ["pl"], "period_start": "2026-01-01", "period_end": "2026-01-31"}
    assert create.request_is_valid([], "application/json", json.dumps(body).encode())
    assert not create.request_is_valid([], "application/json", b"")  # required body
    assert not create.request_is_valid([], "application/json", json.dumps({"period_start": "x"}).encode())
    assert not create.request_is_valid([], "text/plain", json.dumps(body).encode())
    assert not revoke.request_is_valid([], "application/json", b"")  # role is a required query parameter
    assert listing.response_is_valid(200, "application/json", json.dumps(PAGE).encode())
    assert not listing.response_is_valid(200, "application/json", json.dumps({**PAGE, "has_next": "no"}).encode())
    assert not listing.response_is_valid(500, "application/json", b'{"detail": "x"}')  # undeclared
    assert not listing.response_is_valid(200, "text/html", json.dumps(PAGE).encode())
    assert listing.response_is_valid(422, "application/json", b'{"detail": []}')
    assert not revoke.response_is_valid(204, None, b"")  # no JSON body: openapi-core judges it


def test_a_body_the_caller_parsed_is_judged_as_parsed_and_no_body_is_never_vouched_for() -> None:
    """The proxy parses each answer once and hands the value over (it was parsed twice per exchange)."""
    from conformance.http import Exchange
    from conformance.traffic.validator import TrafficValidator

    listing = CompiledContract(load_contract("bare").bundle).get(LIST)
    assert listing is not None
    raw = json.dumps(PAGE).encode()
    assert listing.response_is_valid(200, "application/json", raw, PAGE)
    assert not listing.response_is_valid(200, "application/json", raw, {**PAGE, "has_next": "no"})
    # Through the validator: an empty or broken JSON answer still goes to openapi-core and is a finding.
    validator = TrafficValidator()
    for content in (b"", b"{not json"):
        exchange = Exchange(
            id="x1",
            at=0.0,
            method="GET",
            url="http://mock/api/v1/month-end-packages?limit=20",
            headers={"authorization": "Bearer dz_demo_acme", "x-business-id": "11111111-1111-4111-8111-111111111111"},
            body=b"",
            status=200,
            response_headers={"content-type": "application/json"},
            content=content,
            duration_ms=1.0,
        )
        rules = {f.rule for f in validator.check(exchange).findings if f.side == "response"}
        assert rules, f"{content!r} was vouched for"
