"""Auth and tenant isolation (CONTRACT.md: Conventions; every page's Authentication section)."""

from __future__ import annotations

from conformance.context import PACKAGES, PERIODS, RunContext
from conformance.registry import BEHAVIOUR, MUST, SHOULD, check
from dayzero_mock_kit.openapi.operations import Operation

LIST_OPS = (Operation.LIST_PACKAGES.route, Operation.LIST_PERIODS.route)


@check(
    "AUTH-401-MISSING",
    "No token is refused with 401",
    level=MUST,
    layer=BEHAVIOUR,
    operations=LIST_OPS,
    source="G/auth + G/errors: 401 for a missing token; every slice declares 401",
    traffic=("auth-header",),
    rationale='Documented: 401 means missing, invalid or expired token; body {"detail": "Not authenticated"}.',
)
def missing_token(ctx: RunContext) -> None:
    for path in (PACKAGES, PERIODS):
        exchange = ctx.anonymous.get(path, headers={"x-business-id": ctx.settings.identity.business_id})
        ctx.expect_status(exchange, {401}, f"GET {path} without Authorization is 401")
        body = exchange.json()
        ctx.expect(
            isinstance(body, dict) and isinstance(body.get("detail"), str),
            'the 401 body is {"detail": ...}',
            expected='{"detail": "Not authenticated"}',
            actual=exchange.excerpt(),
            exchange=exchange,
        )


@check(
    "AUTH-401-GARBAGE",
    "A garbage token is refused with 401",
    level=MUST,
    layer=BEHAVIOUR,
    operations=LIST_OPS,
    source="G/errors: 401 for a missing, invalid or expired token",
    rationale="Documented: 401 for an invalid token.",
)
def garbage_token(ctx: RunContext) -> None:
    business = ctx.settings.identity.business_id
    for authorization in ("Bearer dz_not_a_real_token_" + "x" * 24, "Basic Zm9vOmJhcg==", "Bearer"):
        exchange = ctx.anonymous.get(PACKAGES, headers={"Authorization": authorization, "x-business-id": business})
        ctx.expect_status(exchange, {401}, f"Authorization {authorization.split()[0]} ... is 401")


@check(
    "AUTH-WWW-AUTHENTICATE",
    "401 answers carry a Bearer challenge",
    level=SHOULD,
    layer=BEHAVIOUR,
    operations=LIST_OPS,
    source="inferred: FastAPI's HTTPBearer answers 401 with WWW-Authenticate: Bearer",
    traffic=("bearer-challenge",),
    rationale="Inferred: FastAPI's HTTPBearer answers 401 with WWW-Authenticate: Bearer.",
)
def bearer_challenge(ctx: RunContext) -> None:
    exchange = ctx.anonymous.get(PACKAGES, headers={"x-business-id": ctx.settings.identity.business_id})
    challenge = exchange.response_headers.get("www-authenticate", "")
    ctx.expect(
        challenge.lower().startswith("bearer"),
        "the 401 names the Bearer scheme",
        expected="WWW-Authenticate: Bearer",
        actual=f"WWW-Authenticate: {challenge or '(absent)'}",
        exchange=exchange,
    )


@check(
    "AUTH-403-OTHER-BUSINESS",
    "A token on a business it may not use is 403",
    level=MUST,
    layer=BEHAVIOUR,
    operations=LIST_OPS,
    needs_other=True,
    source="G/errors: 403 when the token is valid but not permitted",
    traffic=("token-scope",),
    rationale="Documented: 403 when the token is valid but not permitted for the x-business-id.",
)
def token_on_other_business(ctx: RunContext) -> None:
    ctx.require_other()
    assert ctx.crossed is not None
    for path in (PACKAGES, PERIODS):
        exchange = ctx.crossed.get(path)
        ctx.expect_status(exchange, {403}, f"the first token on the second business is refused on GET {path}")


@check(
    "TENANT-404-OTHER-PACKAGE",
    "Another business's package is 404 on get and download",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,
    needs_other=True,
    operations=(Operation.GET_PACKAGE.route, Operation.GET_DOWNLOAD_URL.route),
    source="G/errors: 404 for a resource of another business (check x-business-id)",
    traffic=("business-scope",),
    rationale="Documented: 404 for a resource of another business (wrong business context), not 403.",
)
def other_package_is_404(ctx: RunContext) -> None:
    other = ctx.require_other()
    _, package = ctx.create(ctx.valid_body(), client=other)
    for operation in (Operation.GET_PACKAGE, Operation.GET_DOWNLOAD_URL):
        exchange = ctx.client.call(operation, path={"package_id": package["id"]})
        ctx.expect_status(exchange, {404}, "the other business's package is not found")


@check(
    "TENANT-LIST-ISOLATION",
    "Lists never show another business's packages",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,
    needs_other=True,
    operations=(Operation.LIST_PACKAGES.route,),
    source="G/auth + list-packages: the list is the business's (x-business-id)",
    traffic=("business-scope",),
    rationale="Documented: every list is scoped to the business of x-business-id.",
)
def list_isolation(ctx: RunContext) -> None:
    other = ctx.require_other()
    _, foreign = ctx.create(ctx.valid_body(), client=other)
    ctx.create(ctx.valid_body())
    items, _, exchanges = ctx.walk(PACKAGES, {"limit": 100})
    leaked = [item["id"] for item in items if item.get("business_id") != ctx.settings.identity.business_id]
    ctx.expect(
        foreign["id"] not in {i["id"] for i in items} and not leaked,
        "the first business's list holds only its own packages",
        expected=f"only business_id {ctx.settings.identity.business_id}",
        actual=f"{len(leaked)} foreign package(s), e.g. {leaked[:3]}",
        exchange=exchanges[0],
    )


@check(
    "TENANT-CURSOR",
    "A cursor from one business does not page another",
    level=SHOULD,
    layer=BEHAVIOUR,
    needs_other=True,
    operations=LIST_OPS,
    source="ours: a cursor of another business is a 4xx (G/pagination ties cursors to their listing)",
    rationale="Documented: cursors are tied to their listing; ours: a foreign cursor is a 4xx, never a page.",
)
def foreign_cursor(ctx: RunContext) -> None:
    other = ctx.require_other()
    page = other.get(PERIODS, params={"limit": 1}).json() or {}
    cursor = page.get("next_cursor")
    if not cursor:
        ctx.skip("the second business has fewer than two periods: no cursor to borrow")
    exchange = ctx.client.get(PERIODS, params={"limit": 1, "cursor": cursor})
    ctx.expect_status(exchange, range(400, 500), "a cursor from another business is refused")
