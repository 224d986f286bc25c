"""Every rule the traffic validators apply, registered in ``conformance.registry`` beside the checks:
an id, a side, a level, the source of the rule, the operations it watches and a one-line rationale.

A traffic finding (``traffic_finding``) may only name a rule registered here, so the published
table of rules (``dayzero-conformance list --format markdown``) is the list of what the proxy and
``validate-har`` can report. The level follows the source as it does for checks
(``registry.level_of``): documented rules are MUST, inferred ones and ours SHOULD.
"""

from __future__ import annotations

from conformance.registry import MUST, SHOULD, TRAFFIC_RULES, TrafficRule, rule
from conformance.results import REQUEST, RESPONSE, Finding
from dayzero_mock_kit.openapi.operations import Operation

ANY = ("(every operation)",)
PERIOD_WRITES = (
    Operation.ACKNOWLEDGE_CHECKLIST_STEP.route,
    Operation.CREATE_SIGN_OFF.route,
    Operation.DELETE_SIGN_OFF.route,
)
LISTS = (Operation.LIST_PACKAGES.route, Operation.LIST_PERIODS.route)


# -- the client's side -----------------------------------------------------------------------
rule(
    "unknown-operation",
    REQUEST,
    MUST,
    "published slices: the 17 operations",
    ANY,
    "a request to a path or method no published operation has",
)
rule(
    "request-parameter",
    REQUEST,
    MUST,
    "published slices: parameter schemas",
    ANY,
    "a query or path parameter off its schema",
)
rule(
    "request-schema",
    REQUEST,
    MUST,
    "published slices: request body schemas (required fields, types, bounds)",
    ANY,
    "a body off its schema, e.g. a required field missing",
)
rule(
    "request-body",
    REQUEST,
    MUST,
    "published slices: requestBody (application/json)",
    ANY,
    "a body that is not the JSON the operation takes",
)
rule(
    "auth-header",
    REQUEST,
    MUST,
    "G/auth and every page's prose: Authorization: Bearer dz_...",
    ANY,
    "the token header the prose requires (the slices declare it optional)",
)
rule(
    "business-header",
    REQUEST,
    MUST,
    "G/auth and every page's prose: x-business-id is the business UUID",
    ANY,
    "the business header the prose requires",
)
rule(
    "report-keys",
    REQUEST,
    MUST,
    "MEP/create-package: selected_reports description (supported values)",
    (Operation.CREATE_PACKAGE.route,),
    "a report key outside the documented set (prose only)",
)
rule(
    "date-order",
    REQUEST,
    MUST,
    "MEP/create-package: period_start/period_end descriptions",
    (Operation.CREATE_PACKAGE.route,),
    "a package period ending before it starts",
)
rule(
    "period-date-order",
    REQUEST,
    SHOULD,
    "inferred: PERIODS.md op 6 (period_end before period_start refused)",
    (Operation.CREATE_PERIOD.route,),
    "a period ending before it starts",
)
rule(
    "role",
    REQUEST,
    MUST,
    "AP/create-period-sign-off: role description (preparer, reviewer, controller, partner)",
    PERIOD_WRITES[1:],
    "a sign-off role outside the documented set (prose only)",
)
rule(
    "poll-interval",
    REQUEST,
    SHOULD,
    "ours: --min-poll-interval",
    (Operation.GET_PACKAGE.route,),
    "polls of one package closer than the interval asked for",
)

# -- the upstream's side ---------------------------------------------------------------------
rule("status-undeclared", RESPONSE, MUST, "published slices: responses", ANY, "a status the operation does not declare")
rule("response-schema", RESPONSE, MUST, "published slices: response schemas", ANY, "a body off its schema")
rule("response-body", RESPONSE, MUST, "published slices: responses", ANY, "a body that cannot be the declared one")
rule("content-type", RESPONSE, MUST, "published slices: application/json", ANY, "a content type other than JSON")
rule(
    "accepted-refusable",
    RESPONSE,
    MUST,
    "the documented request rules above (schema, report keys, roles, dates)",
    ANY,
    "a 2xx to a request a documented rule refuses",
)
rule(
    "period-dates-accepted",
    RESPONSE,
    SHOULD,
    "inferred: PERIODS.md op 6 (period_end before period_start)",
    (Operation.CREATE_PERIOD.route,),
    "a 2xx to a period ending before it starts",
)
rule(
    "token-scope",
    RESPONSE,
    MUST,
    "G/errors: 403 when the token may not use the business (with --identity)",
    ANY,
    "a 2xx for a business the token may not use",
)
rule(
    "business-scope",
    RESPONSE,
    MUST,
    "G/errors: 404 for another business's resource; lists are per business",
    ANY,
    "an object of another business in an answer",
)
rule(
    "status-filter",
    RESPONSE,
    MUST,
    "list-packages/list-periods: status parameter",
    LISTS,
    "an item whose status is not the one filtered for",
)
rule(
    "total",
    RESPONSE,
    MUST,
    "G/pagination and list schemas: total",
    LISTS,
    "a total that differs from a complete one-page listing",
)
rule(
    "pagination-flags",
    RESPONSE,
    MUST,
    "list schemas: has_next/next_cursor",
    LISTS,
    "has_next without a next page, or a next page that is empty",
)
rule(
    "pagination-skip",
    RESPONSE,
    MUST,
    "G/pagination: cursor pagination",
    LISTS,
    "an item that walking back reveals inside the range the forward pages covered",
)
rule(
    "page-walk",
    RESPONSE,
    MUST,
    "G/pagination: cursor pagination",
    LISTS,
    "a walk that skips or repeats items another listing of the same range shows",
)
rule(
    "lifecycle-forward",
    RESPONSE,
    MUST,
    "CONTRACT.md lifecycle (feature pages: queued, built, ready or failed)",
    (Operation.GET_PACKAGE.route, Operation.LIST_PACKAGES.route),
    "a package status going back",
)
rule(
    "download-when-ready",
    RESPONSE,
    SHOULD,
    "inferred: download's 400 means the package is not ready",
    (Operation.GET_DOWNLOAD_URL.route,),
    "a download URL for a package not ready",
)
rule(
    "file-size",
    RESPONSE,
    MUST,
    "MEP/get-download-url: file_size_bytes",
    ("(presigned file)",),
    "a file whose size differs from file_size_bytes",
)
rule(
    "zip",
    RESPONSE,
    MUST,
    "MEP/get-download-url: a presigned URL for the package zip",
    ("(presigned file)",),
    "a file that is not a zip",
)
rule(
    "zip-reports",
    RESPONSE,
    MUST,
    "MEP/create-package: selected_reports are the reports included",
    ("(presigned file)",),
    "a zip whose number of reports differs from the package's",
)
rule(
    "period-dates",
    RESPONSE,
    MUST,
    "MEP/create-package: accounting_period_id frames the package",
    (Operation.CREATE_PACKAGE.route,),
    "a package created for a period with other dates",
)
rule(
    "period-overlap",
    RESPONSE,
    MUST,
    "F/periods + AP/create-period: overlapping dates are a 409",
    (Operation.CREATE_PERIOD.route,),
    "an overlapping period created",
)
rule(
    "period-status",
    RESPONSE,
    MUST,
    "AP/get-period.md: status is open, closed or locked (description only)",
    ("(every period answer)",),
    "a period status outside the documented set",
)
rule(
    "close-once",
    RESPONSE,
    MUST,
    "AP/close-period: force description (the server refuses a closed period)",
    (Operation.CLOSE_PERIOD.route,),
    "a second close accepted",
)
rule(
    "close-audit",
    RESPONSE,
    MUST,
    "F/periods: every close is audited (closed_at, closed_by_user_id)",
    (Operation.CLOSE_PERIOD.route,),
    "a close without who and when",
)
rule(
    "reopen-audit",
    RESPONSE,
    MUST,
    "F/periods + AP/reopen-period: reopen is audited",
    (Operation.REOPEN_PERIOD.route,),
    "a reopen without who, when and why",
)
rule(
    "bulk-lock-counts",
    RESPONSE,
    MUST,
    "AP/bulk-lock-periods: locked_count/skipped_count descriptions",
    (Operation.BULK_LOCK_PERIODS.route,),
    "counts that differ from the lists",
)
rule(
    "workflow-id",
    RESPONSE,
    MUST,
    "MEP/create-package: workflow_id is also on package",
    (Operation.CREATE_PACKAGE.route,),
    "a create whose workflow_id differs from its package's",
)
rule(
    "lifecycle-fields",
    RESPONSE,
    MUST,
    "MonthEndPackageResponse field descriptions: started_at, ready_at, filename, file_size_bytes",
    (Operation.CREATE_PACKAGE.route, Operation.GET_PACKAGE.route),
    "a package whose status says a lifecycle field is set, without it",
)
rule(
    "close-score-components",
    RESPONSE,
    MUST,
    "AP/get-close-score: five components txn_review, categorization, reconciliation, checklist, anomalies "
    "(description)",
    (Operation.GET_CLOSE_SCORE.route,),
    "a close score without one of its five documented components",
)
rule(
    "filename",
    RESPONSE,
    SHOULD,
    "inferred: filename (the suggested attachment name) is the same on package and download",
    (Operation.GET_PACKAGE.route, Operation.GET_DOWNLOAD_URL.route),
    "a ready package's filename that differs between its answers",
)
rule(
    "page-limit",
    RESPONSE,
    MUST,
    "list slices: limit 1-1000; G/pagination: default 50",
    LISTS,
    "a list page holding more items than the limit asked for",
)
rule(
    "download-url-fresh",
    RESPONSE,
    MUST,
    "MEP/get-download-url: a short-lived presigned URL, a fresh one per call (F/package)",
    (Operation.GET_DOWNLOAD_URL.route,),
    "a download answer that repeats a URL an earlier answer for the package gave",
)
rule(
    "page-order",
    RESPONSE,
    MUST,
    "list slices + G/pagination: sort_by (default created_at), descending (default true)",
    LISTS,
    "a page whose items are out of the order its sort_by and descending ask for",
)
rule(
    "package-inputs",
    RESPONSE,
    MUST,
    "MEP/create-package + MEP/get-package: 201 the record, get the same record",
    (Operation.GET_PACKAGE.route,),
    "a package whose business, period, format or reports differ from what its create answered",
)
rule(
    "bearer-challenge",
    RESPONSE,
    SHOULD,
    "inferred: FastAPI's HTTPBearer answers 401 with WWW-Authenticate: Bearer",
    ANY,
    "a 401 without a Bearer challenge",
)
rule(
    "close-score-range",
    RESPONSE,
    SHOULD,
    "inferred: like readiness (0-100); the close score's fields are not published",
    (Operation.GET_CLOSE_SCORE.route,),
    "a close score outside 0-100",
)
rule(
    "score-range",
    RESPONSE,
    MUST,
    "AP/check-close-readiness: score on a 0-100 scale (description only)",
    (Operation.CHECK_CLOSE_READINESS.route,),
    "a readiness score outside 0-100",
)
rule(
    "readiness-item-status",
    RESPONSE,
    MUST,
    "AP/check-close-readiness: CloseReadinessItem.status is pass, warning or fail (description only)",
    (Operation.CHECK_CLOSE_READINESS.route,),
    "an item status outside the set",
)
rule(
    "ack-idempotent",
    RESPONSE,
    MUST,
    "AP/acknowledge-checklist-step: idempotent, a repeat only updates notes",
    (Operation.ACKNOWLEDGE_CHECKLIST_STEP.route,),
    "a repeated ack with a new id",
)
rule(
    "closed-period-writes",
    RESPONSE,
    SHOULD,
    "ours (lead's decision for issue 15): a closed or locked period refuses acks and sign-off changes with 400",
    PERIOD_WRITES,
    "a 2xx to an ack, sign-off or revoke on a period the traffic showed closed or locked",
)


def traffic_rule(rule_id: str) -> TrafficRule:
    """The registered rule a finding names (a typo in the validators fails loudly)."""
    try:
        return TRAFFIC_RULES[rule_id]
    except KeyError:
        raise ValueError(f"Traffic rule {rule_id!r} is not registered in conformance.traffic.rules.") from None


def traffic_finding(side: str, rule_id: str, pointer: str, expected: str, actual: str) -> Finding:
    """A break of a registered traffic rule, on the request (client) or the response (upstream) side;
    the report places it on its exchange (id, operation, curl line) when the exchange is judged."""
    registered = traffic_rule(rule_id)
    if side != registered.side:
        raise ValueError(f"Traffic rule {rule_id} is a {registered.side} rule, not a {side} one.")
    return Finding(registered.rationale, expected, actual, rule=rule_id, side=side, pointer=pointer)
