"""The close workflow of a period: readiness, score, checklist acks, sign-offs (PERIODS.md ops 11-17),
and the generation the bodies are written in.

Writes go to periods the kit created itself (``own_periods.py``).
"""

from __future__ import annotations

import uuid
from typing import Any

from conformance.context import PERIODS, RunContext
from conformance.generation import ENVELOPE_FIELDS, looks_enveloped
from conformance.http import Exchange
from conformance.registry import BEHAVIOUR, MUST, SHOULD, check

READINESS = "POST /api/v1/accounting-periods/{period_id}/close-readiness"
SCORE = "GET /api/v1/accounting-periods/{period_id}/close-score"
HISTORY = "GET /api/v1/accounting-periods/{period_id}/score-history"
ACKS = "GET /api/v1/accounting-periods/{period_id}/checklist-acks"
ACK = "PUT /api/v1/accounting-periods/{period_id}/checklist-acks/{step_id}"
SIGN_OFF = "POST /api/v1/accounting-periods/{period_id}/sign-offs"
REVOKE = "DELETE /api/v1/accounting-periods/{period_id}/sign-offs"
STEP = "trial_balance_review"  # the step id the reference gives as its example


def _object(ctx: RunContext, exchange: Exchange, what: str) -> dict[str, Any]:
    body = exchange.json()
    ctx.expect(
        isinstance(body, dict),
        f"{what} answers a JSON object",
        expected="a JSON object",
        actual=exchange.excerpt(),
        exchange=exchange,
    )
    return dict(body)


@check(
    "CLOSE-READINESS",
    "Close readiness scores 0-100 and itemizes checks as pass, warning or fail",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=(READINESS,),
    rationale="Documented: 201 CloseReadinessResponse; score on a 0-100 scale; each item has check, status "
    "(pass, warning or fail) and detail.",
)
def close_readiness(ctx: RunContext) -> None:
    period = ctx.own_periods.new()
    exchange = ctx.client.post(f"{PERIODS}/{period['id']}/close-readiness")
    ctx.expect_status(exchange, {201}, "the readiness check answers 201")
    body = _object(ctx, exchange, "close readiness")
    score = body.get("score")
    ctx.expect(
        isinstance(score, (int, float)) and not isinstance(score, bool) and 0 <= score <= 100,
        "the readiness score is on the 0-100 scale",
        expected="a number from 0 to 100",
        actual=f"score {score!r}",
        exchange=exchange,
    )
    for item in body.get("items") or []:
        ctx.expect(
            isinstance(item, dict)
            and all(isinstance(item.get(k), str) for k in ("check", "status", "detail"))
            and item.get("status") in ("pass", "warning", "fail"),
            "each readiness item has check, detail and a pass/warning/fail status",
            expected="{check, status: pass|warning|fail, detail}",
            actual=str(item)[:300],
            exchange=exchange,
        )


@check(
    "PERIOD-UNKNOWN-404",
    "An id that names no period is 404 on every period read",
    level=MUST,
    layer=BEHAVIOUR,
    operations=("GET /api/v1/accounting-periods/{period_id}", SCORE, HISTORY, ACKS),
    rationale="Documented: 404 means the resource does not exist; these operations declare it.",
)
def unknown_period(ctx: RunContext) -> None:
    unknown = str(uuid.UUID(int=ctx.rng.getrandbits(128), version=4))
    for suffix in ("", "/close-score", "/score-history", "/checklist-acks"):
        exchange = ctx.client.get(f"{PERIODS}/{unknown}{suffix}")
        ctx.expect_status(exchange, {404}, f"GET {suffix or '/'} of an unknown period is not found")


@check(
    "CLOSE-SCORE",
    "Close score and its history answer for a period",
    level=SHOULD,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=(SCORE, HISTORY),
    rationale="Documented statuses (200); the bodies' fields are not published, so only a JSON answer, a score "
    "within 0-100 if one is given, and limit honoured are expected.",
)
def close_score(ctx: RunContext) -> None:
    period = ctx.own_periods.new()
    exchange = ctx.client.get(f"{PERIODS}/{period['id']}/close-score")
    ctx.expect_status(exchange, {200}, "the close score answers 200")
    body = _object(ctx, exchange, "close score")
    if "score" in body:
        ctx.expect(
            isinstance(body["score"], (int, float)) and 0 <= body["score"] <= 100,
            "the gauge is within 0-100",
            expected="0-100",
            actual=f"score {body['score']!r}",
            exchange=exchange,
        )
    history = ctx.client.get(f"{PERIODS}/{period['id']}/score-history", params={"limit": 1})
    ctx.expect_status(history, {200}, "the score history answers 200")
    trend = history.json()
    entries = trend.get("items") if isinstance(trend, dict) else trend
    if isinstance(entries, list):
        ctx.expect(
            len(entries) <= 1,
            "limit caps the number of snapshots",
            expected="at most 1 snapshot with limit=1",
            actual=f"{len(entries)} snapshots",
            exchange=history,
        )


@check(
    "CHECKLIST-ACK-IDEMPOTENT",
    "Acknowledging a step again keeps the row and updates the notes",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=(ACK, ACKS),
    rationale="Documented: the PUT is idempotent, a second call only updates the notes; the list returns every "
    "ack of the period.",
)
def ack_idempotent(ctx: RunContext) -> None:
    period = ctx.own_periods.new()
    url = f"{PERIODS}/{period['id']}/checklist-acks"
    first = ctx.client.put(f"{url}/{STEP}", json_body={"notes": "first look"})
    ctx.expect_status(first, {200}, "acknowledging a step answers 200")
    ack = _object(ctx, first, "the acknowledgement")
    again = ctx.client.put(f"{url}/{STEP}", json_body={"notes": "second look"})
    ctx.expect_status(again, {200}, "acknowledging the step again answers 200")
    second = _object(ctx, again, "the acknowledgement")
    ctx.expect(
        (second.get("id"), second.get("created_at")) == (ack.get("id"), ack.get("created_at"))
        and second.get("notes") == "second look"
        and second.get("step_id") == STEP,
        "the same ack, with the new notes",
        expected=f"id {ack.get('id')}, created_at {ack.get('created_at')}, notes 'second look'",
        actual=f"id {second.get('id')}, created_at {second.get('created_at')}, notes {second.get('notes')!r}",
        exchange=again,
    )
    listing = ctx.client.get(url)
    ctx.expect_status(listing, {200}, "the acks of the period are listed")
    body = _object(ctx, listing, "the ack list")
    mine = [item for item in body.get("items") or [] if isinstance(item, dict) and item.get("step_id") == STEP]
    ctx.expect(
        len(mine) == 1 and mine[0].get("id") == ack.get("id") and body.get("period_id") == period["id"],
        "the list holds that step once, for this period",
        expected=f"one {STEP} ack ({ack.get('id')}), period_id {period['id']}",
        actual=f"{len(mine)} {STEP} acks, period_id {body.get('period_id')}",
        exchange=listing,
    )


def _sign(ctx: RunContext, period_id: str, role: str) -> Exchange:
    exchange = ctx.client.post(
        f"{PERIODS}/{period_id}/sign-offs", json_body={"role": role, "notes": "dayzero-conformance"}
    )
    ctx.expect_status(exchange, {201}, f"a {role} sign-off is recorded with 201")
    return exchange


def _revoke(ctx: RunContext, period_id: str, role: str) -> Exchange:
    return ctx.client.delete(f"{PERIODS}/{period_id}/sign-offs", params={"role": role})


@check(
    "SIGN-OFF-REVOKE",
    "A sign-off is recorded (201) and revoked (204 bare, 200 envelope)",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=(SIGN_OFF, REVOKE),
    rationale="Documented: POST answers 201; DELETE ?role= removes the caller's sign-off: 204 in the bare "
    "generation, 200 with an envelope without data in the envelope generation.",
)
def sign_off_and_revoke(ctx: RunContext) -> None:
    period = ctx.own_periods.new()
    _sign(ctx, period["id"], "reviewer")
    exchange = _revoke(ctx, period["id"], "reviewer")
    if ctx.generation.decided == "envelope":
        ctx.expect_status(exchange, {200}, "revoking answers 200 in the envelope generation")
        body = exchange.raw_json()
        ctx.expect(
            looks_enveloped(body) and "data" not in body,
            "the answer is the envelope without data",
            expected="{success, message, code}",
            actual=exchange.excerpt(),
            exchange=exchange,
        )
    else:
        ctx.expect_status(exchange, {204}, "revoking answers 204 in the bare generation")


@check(
    "SIGN-OFF-IDEMPOTENT",
    "Signing twice in one role keeps one sign-off",
    level=SHOULD,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=(SIGN_OFF, REVOKE),
    rationale="Documented: idempotent per (user, role); inferred: revoking a sign-off that is gone is 404.",
)
def sign_off_idempotent(ctx: RunContext) -> None:
    period = ctx.own_periods.new()
    first, second = _sign(ctx, period["id"], "preparer"), _sign(ctx, period["id"], "preparer")
    ids = [(e.json() or {}).get("id") if isinstance(e.json(), dict) else None for e in (first, second)]
    ctx.expect(
        ids[0] == ids[1],
        "the second sign-off is the same row",
        expected=f"id {ids[0]}",
        actual=f"id {ids[1]}",
        exchange=second,
    )
    ctx.expect_status(_revoke(ctx, period["id"], "preparer"), range(200, 300), "the sign-off is revoked")
    ctx.expect_status(_revoke(ctx, period["id"], "preparer"), {404}, "nothing is left to revoke")


@check(
    "SIGN-OFF-ROLE",
    "A role outside preparer, reviewer, controller, partner is refused",
    level=SHOULD,
    layer=BEHAVIOUR,
    creates_data=True,  # a server that accepts it records a sign-off
    operations=(SIGN_OFF,),
    rationale="Documented roles (in prose; the schema has a plain string); inferred: others are 400 or 422.",
)
def sign_off_role(ctx: RunContext) -> None:
    period = ctx.own_periods.new()
    exchange = ctx.client.post(f"{PERIODS}/{period['id']}/sign-offs", json_body={"role": "auditor"})
    ctx.expect_status(exchange, {400, 422}, "an unknown role is refused")


@check(
    "GENERATION-SHAPE",
    "Bodies follow the generation: success bodies wrapped or bare, errors never wrapped",
    level=MUST,
    layer=BEHAVIOUR,
    operations=("GET /api/v1/accounting-periods", "GET /api/v1/accounting-periods/{period_id}"),
    rationale="Documented: the envelope generation wraps every success body in {success, message, code, data}; "
    "errors are {detail} in both generations.",
)
def generation_shape(ctx: RunContext) -> None:
    listing = ctx.client.get(PERIODS, params={"limit": 1})
    ctx.expect_status(listing, {200}, "the period list is served")
    raw = listing.raw_json()
    if ctx.generation.decided == "envelope":
        ctx.expect(
            looks_enveloped(raw)
            and raw.get("success") is True
            and all(isinstance(raw.get(k), str) for k in ("message", "code"))
            and isinstance(raw.get("data"), dict),
            "a success body is the envelope around the model",
            expected=f"{{{', '.join(sorted(ENVELOPE_FIELDS))}}} with success true and the model in data",
            actual=listing.excerpt(),
            exchange=listing,
        )
    else:
        ctx.expect(
            isinstance(raw, dict) and "items" in raw and not looks_enveloped(raw),
            "a success body is the model itself",
            expected="{items, has_next, has_prev, ...}",
            actual=listing.excerpt(),
            exchange=listing,
        )
    missing = ctx.client.get(f"{PERIODS}/{uuid.UUID(int=ctx.rng.getrandbits(128), version=4)}")
    body = missing.raw_json()
    ctx.expect(
        missing.status == 404 and isinstance(body, dict) and set(body) == {"detail"},
        "an error is never wrapped",
        expected='404 {"detail": "..."}',
        actual=missing.excerpt(),
        exchange=missing,
    )
