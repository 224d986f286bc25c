"""The close workflow of a period: readiness, score, checklist acks, sign-offs (PERIODS.md ops 11-17),
and the generation the bodies are written in.

Writes go to periods the kit created itself (``own_periods.py``).
"""

from __future__ import annotations

import uuid
from typing import Any

from conformance.checks_periods import bulk_lock_one, close
from conformance.context import PERIODS, RunContext
from conformance.documented import READINESS_STATUSES, SCORE_COMPONENTS, keys_at_any_depth
from conformance.generation import ENVELOPE_FIELDS, looks_enveloped
from conformance.http import Exchange
from conformance.registry import BEHAVIOUR, MUST, SHOULD, check, unchecked
from dayzero_mock_kit.openapi.operations import Operation

READINESS = Operation.CHECK_CLOSE_READINESS.route
SCORE = Operation.GET_CLOSE_SCORE.route
HISTORY = Operation.GET_SCORE_HISTORY.route
ACKS = Operation.LIST_CHECKLIST_ACKS.route
ACK = Operation.ACKNOWLEDGE_CHECKLIST_STEP.route
SIGN_OFF = Operation.CREATE_SIGN_OFF.route
REVOKE = Operation.DELETE_SIGN_OFF.route
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
    source="AP/check-close-readiness: 201; score 0-100 and item status pass/warning/fail (descriptions)",
    traffic=("score-range", "readiness-item-status"),
    rationale="Documented: 201 CloseReadinessResponse; score on a 0-100 scale; each item has check, status "
    "(pass, warning or fail) and detail.",
)
def close_readiness(ctx: RunContext) -> None:
    period = ctx.own_periods.new()
    exchange = ctx.client.post(Operation.CHECK_CLOSE_READINESS.path.format(period_id=period["id"]))
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
            and item.get("status") in READINESS_STATUSES,
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
    operations=(Operation.GET_PERIOD.route, SCORE, HISTORY, ACKS),
    source="G/errors: 404 for a resource that does not exist (declared on these operations)",
    rationale="Documented: 404 means the resource does not exist; these operations declare it.",
)
def unknown_period(ctx: RunContext) -> None:
    unknown = str(uuid.UUID(int=ctx.rng.getrandbits(128), version=4))
    for operation in (
        Operation.GET_PERIOD,
        Operation.GET_CLOSE_SCORE,
        Operation.GET_SCORE_HISTORY,
        Operation.LIST_CHECKLIST_ACKS,
    ):
        exchange = ctx.client.call(operation, path={"period_id": unknown})
        suffix = operation.path.removeprefix(Operation.GET_PERIOD.path)  # the message as it always was
        ctx.expect_status(exchange, {404}, f"GET {suffix or '/'} of an unknown period is not found")


def _gauge(value: Any) -> Any:
    """A close-score body without its timestamps: what a recompute must change."""
    if isinstance(value, dict):
        return {k: _gauge(v) for k, v in value.items() if not k.endswith("_at")}
    if isinstance(value, list):
        return [_gauge(v) for v in value]
    return value


def _score(ctx: RunContext, period_id: str) -> tuple[Exchange, dict[str, Any]]:
    exchange = ctx.client.get(Operation.GET_CLOSE_SCORE.path.format(period_id=period_id))
    ctx.expect_status(exchange, {200}, "the close score answers 200")
    return exchange, _object(ctx, exchange, "close score")


@check(
    "CLOSE-SCORE",
    "Close score names its five components; score history answers",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=(SCORE, HISTORY),
    source="AP/get-close-score: 200, five components txn_review, categorization, reconciliation, checklist, "
    "anomalies (description); AP/get-score-history: 200",
    traffic=("close-score-components",),
    rationale="Documented statuses and component names; the bodies' other fields are not published.",
)
def close_score(ctx: RunContext) -> None:
    period = ctx.own_periods.new()
    exchange, body = _score(ctx, period["id"])
    missing = [name for name in SCORE_COMPONENTS if name not in keys_at_any_depth(body)]
    ctx.expect(
        not missing,
        "the close score carries its five documented components",
        expected=", ".join(SCORE_COMPONENTS),
        actual=f"missing {', '.join(missing)}: {exchange.excerpt()}",
        exchange=exchange,
    )
    history = ctx.client.get(Operation.GET_SCORE_HISTORY.path.format(period_id=period["id"]))
    ctx.expect_status(history, {200}, "the score history answers 200")


@check(
    "CLOSE-SCORE-RANGE",
    "The close score is within 0-100 and score-history's limit caps the snapshots",
    level=SHOULD,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=(SCORE, HISTORY),
    source="inferred: like readiness (0-100); limit (default 60) caps the snapshots returned",
    traffic=("close-score-range",),
    rationale="The fields are not published: a score within 0-100 if one is given, and limit honoured.",
)
def close_score_range(ctx: RunContext) -> None:
    period = ctx.own_periods.new()
    exchange, body = _score(ctx, period["id"])
    if "score" in body:
        ctx.expect(
            isinstance(body["score"], (int, float)) and 0 <= body["score"] <= 100,
            "the gauge is within 0-100",
            expected="0-100",
            actual=f"score {body['score']!r}",
            exchange=exchange,
        )
    history = ctx.client.get(Operation.GET_SCORE_HISTORY.path.format(period_id=period["id"]), params={"limit": 1})
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
    "SIGN-OFF-RECOMPUTES",
    "Signing off and revoking change the close score at once",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=(SIGN_OFF, REVOKE, SCORE),
    source="AP/create-period-sign-off and AP/delete-period-sign-off: the close score is recomputed, so the gauge "
    "changes at once",
    rationale="The score is read before and after each: it must not be a stored value from before.",
)
def sign_off_recomputes(ctx: RunContext) -> None:
    period = ctx.own_periods.new()
    _, before = _score(ctx, period["id"])
    _sign(ctx, period["id"], "controller")
    exchange, signed = _score(ctx, period["id"])
    ctx.expect(
        _gauge(signed) != _gauge(before),
        "the close score changes once a sign-off is recorded",
        expected=f"a gauge other than {str(_gauge(before))[:200]}",
        actual=exchange.excerpt(),
        exchange=exchange,
    )
    ctx.expect_status(_revoke(ctx, period["id"], "controller"), range(200, 300), "the sign-off is revoked")
    exchange, revoked = _score(ctx, period["id"])
    ctx.expect(
        _gauge(revoked) != _gauge(signed),
        "the close score changes once the sign-off is revoked",
        expected=f"a gauge other than {str(_gauge(signed))[:200]}",
        actual=exchange.excerpt(),
        exchange=exchange,
    )


unchecked(
    "Score history is oldest first and only ever appended",
    source="AP/get-score-history: description",
    reason="the fields of GetScoreHistoryResponse are not published: no date to order by is documented",
)
unchecked(
    "A closed or locked period rejects postings and edits dated inside it",
    source="F/periods",
    reason="no posting or edit operation is part of the published accounting-periods and packages slices",
)


@check(
    "CHECKLIST-ACK-IDEMPOTENT",
    "Acknowledging a step again keeps the row and updates the notes",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=(ACK, ACKS),
    source="AP/acknowledge-checklist-step: idempotent, a repeat only updates the notes; AP/list-period-checklist-acks",
    traffic=("ack-idempotent",),
    rationale="Documented: the PUT is idempotent, a second call only updates the notes; the list returns every "
    "ack of the period.",
)
def ack_idempotent(ctx: RunContext) -> None:
    period = ctx.own_periods.new()
    ids = {"period_id": period["id"], "step_id": STEP}
    first = ctx.client.call(Operation.ACKNOWLEDGE_CHECKLIST_STEP, path=ids, json_body={"notes": "first look"})
    ctx.expect_status(first, {200}, "acknowledging a step answers 200")
    ack = _object(ctx, first, "the acknowledgement")
    again = ctx.client.call(Operation.ACKNOWLEDGE_CHECKLIST_STEP, path=ids, json_body={"notes": "second look"})
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
    listing = ctx.client.call(Operation.LIST_CHECKLIST_ACKS, path=ids)
    ctx.expect_status(listing, {200}, "the acks of the period are listed")
    body = _object(ctx, listing, "the ack list")
    mine = [item for item in body.get("items") or [] if isinstance(item, dict) and item.get("step_id") == STEP]
    ctx.expect(
        len(mine) == 1
        and mine[0].get("id") == ack.get("id")
        and body.get("period_id") == period["id"]
        and body.get("period_start") == period["period_start"],
        "the list holds that step once, for this period and its start date",
        expected=f"one {STEP} ack ({ack.get('id')}), period_id {period['id']}, period_start {period['period_start']}",
        actual=f"{len(mine)} {STEP} acks, period_id {body.get('period_id')}, period_start {body.get('period_start')}",
        exchange=listing,
    )


def _sign(ctx: RunContext, period_id: str, role: str) -> Exchange:
    exchange = ctx.client.post(
        Operation.CREATE_SIGN_OFF.path.format(period_id=period_id),
        json_body={"role": role, "notes": "dayzero-conformance"},
    )
    ctx.expect_status(exchange, {201}, f"a {role} sign-off is recorded with 201")
    return exchange


def _revoke(ctx: RunContext, period_id: str, role: str) -> Exchange:
    return ctx.client.call(Operation.DELETE_SIGN_OFF, path={"period_id": period_id}, params={"role": role})


@check(
    "SIGN-OFF-REVOKE",
    "A sign-off is recorded (201) and revoked (204 bare, 200 envelope)",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=(SIGN_OFF, REVOKE),
    source="AP/create-period-sign-off: 201; AP/delete-period-sign-off: 204 bare, 200 envelope without data",
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
    "Signing twice in one role is accepted and keeps one sign-off",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=(SIGN_OFF,),
    source="AP/create-period-sign-off: records, or updates; idempotent per (user_id, role)",
    rationale="The second call answers 201 like the first; where the bodies carry an id it is the same row.",
)
def sign_off_idempotent(ctx: RunContext) -> None:
    period = ctx.own_periods.new()
    first, second = _sign(ctx, period["id"], "preparer"), _sign(ctx, period["id"], "preparer")
    ids = [e.json().get("id") if isinstance(e.json(), dict) else None for e in (first, second)]
    ctx.expect(
        None in ids or ids[0] == ids[1],
        "the second sign-off is the same row",
        expected=f"id {ids[0]}",
        actual=f"id {ids[1]}",
        exchange=second,
    )


@check(
    "SIGN-OFF-REVOKE-GONE",
    "Revoking a sign-off that is gone is 404",
    level=SHOULD,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=(SIGN_OFF, REVOKE),
    source="inferred: DELETE removes the caller's one sign-off per role; nothing left is 404 (declared)",
    rationale="Signing twice then revoking once leaves nothing: a second revoke finds none.",
)
def sign_off_revoke_gone(ctx: RunContext) -> None:
    period = ctx.own_periods.new()
    _sign(ctx, period["id"], "partner")
    _sign(ctx, period["id"], "partner")
    ctx.expect_status(_revoke(ctx, period["id"], "partner"), range(200, 300), "the sign-off is revoked")
    ctx.expect_status(_revoke(ctx, period["id"], "partner"), {404}, "nothing is left to revoke")


@check(
    "SIGN-OFF-ROLE",
    "A role outside preparer, reviewer, controller, partner is refused",
    level=MUST,
    layer=BEHAVIOUR,
    creates_data=True,  # a server that accepts it records a sign-off
    operations=(SIGN_OFF,),
    source="AP/create-period-sign-off: role description (preparer, reviewer, controller or partner; prose only)",
    traffic=("role", "accepted-refusable"),
    rationale="A documented value set, written in prose: any other role is refused (400 or 422; which one is not "
    "documented).",
)
def sign_off_role(ctx: RunContext) -> None:
    period = ctx.own_periods.new()
    exchange = ctx.client.post(
        Operation.CREATE_SIGN_OFF.path.format(period_id=period["id"]), json_body={"role": "auditor"}
    )
    ctx.expect_status(exchange, {400, 422}, "an unknown role is refused")


def _detail_says_closed(body: Any) -> bool:
    detail = body.get("detail") if isinstance(body, dict) else None
    return isinstance(detail, str) and any(word in detail.lower() for word in ("closed", "locked"))


@check(
    "PERIOD-CLOSED-REFUSES-CHANGES",
    "A closed or locked period refuses checklist acks and sign-off changes",
    level=SHOULD,
    layer=BEHAVIOUR,
    creates_data=True,
    operations=(ACK, SIGN_OFF, REVOKE),
    source="ours (the lead's decision, issue 15): closed and locked periods refuse acks, sign-offs and revokes "
    'with 400 {"detail": "... closed/locked ... reopen ..."}',
    traffic=("closed-period-writes",),
    rationale="Inferred from 'closes a period so that it can no longer be modified'; the status is ours: 400.",
)
def closed_period_refuses_changes(ctx: RunContext) -> None:
    closed, locked = ctx.own_periods.new(), ctx.own_periods.new()
    for period in (closed, locked):
        _sign(ctx, period["id"], "reviewer")  # so that a revoke has something to remove
    close(ctx, closed)
    bulk_lock_one(ctx, locked["id"])
    for period, state in ((closed, "closed"), (locked, "locked")):
        ids = {"period_id": period["id"], "step_id": STEP}
        for exchange in (
            ctx.client.call(Operation.ACKNOWLEDGE_CHECKLIST_STEP, path=ids, json_body={"notes": "after the close"}),
            ctx.client.call(Operation.CREATE_SIGN_OFF, path=ids, json_body={"role": "controller"}),
            _revoke(ctx, period["id"], "reviewer"),
        ):
            ctx.expect(
                exchange.status == 400 and _detail_says_closed(exchange.json()),
                f"a {state} period refuses the change until it is reopened",
                expected='400 {"detail": "... ' + state + ' ... reopen first"}',
                actual=exchange.excerpt(),
                exchange=exchange,
            )


@check(
    "GENERATION-SHAPE",
    "Bodies follow the generation: success bodies wrapped or bare, errors never wrapped",
    level=MUST,
    layer=BEHAVIOUR,
    operations=(Operation.LIST_PERIODS.route, Operation.GET_PERIOD.route),
    source="envelope pages: SuccessEnvelope_<Model>_; errors never wrapped",
    traffic=("response-schema",),
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
    missing = ctx.client.get(
        Operation.GET_PERIOD.path.format(period_id=uuid.UUID(int=ctx.rng.getrandbits(128), version=4))
    )
    body = missing.raw_json()
    ctx.expect(
        missing.status == 404 and isinstance(body, dict) and set(body) == {"detail"},
        "an error is never wrapped",
        expected='404 {"detail": "..."}',
        actual=missing.excerpt(),
        exchange=missing,
    )
