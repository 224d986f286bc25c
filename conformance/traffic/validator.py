"""Judge one recorded exchange against the published contract, with openapi-core.

Request findings are the client's bugs (unknown operation, auth headers, parameters and
bodies that break the schema, documented rules the schema cannot hold); response findings
are the upstream's drift (undeclared status, body off-schema, wrong content type, and the
documented behaviour of ``behaviour.py``).
"""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from conformance.generation import BodyGeneration, unwrap
from conformance.http import Exchange
from conformance.results import Finding
from conformance.traffic.behaviour import REFUSED_RULES, BehaviourRules
from conformance.traffic.compiled import UNPARSED, CompiledContract
from conformance.traffic.rules import traffic_finding
from dayzero_mock_kit.openapi import load_contract
from dayzero_mock_kit.openapi.operations import Operation, OperationTable

API_PREFIX = "/api/"
ROLE_OPERATIONS = (Operation.CREATE_SIGN_OFF, Operation.DELETE_SIGN_OFF)


def _pointer(prefix: str, path: Any) -> str:
    return prefix + "".join(f"/{part}" for part in path)


def _short(value: Any, limit: int = 200) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[:limit] + "..."


@dataclass
class Verdict:
    """What the validator made of one exchange: the operation it reached and its findings."""

    operation_id: str | None
    in_api: bool
    findings: list[Finding] = field(default_factory=list)


class TrafficValidator:
    """Validates exchanges against one generation of the published bundle (auto: the first success decides)."""

    def __init__(
        self,
        generation: str = "auto",
        *,
        min_poll_interval: float | None = None,
        identities: dict[str, frozenset[str]] | None = None,
    ) -> None:
        self.generation = BodyGeneration.from_choice(generation)
        self.min_poll_interval = min_poll_interval
        # token -> the businesses it may use (--identity): a 2xx for another business is the upstream's break.
        self.identities = {
            token: frozenset(b.lower() for b in businesses) for token, businesses in (identities or {}).items()
        }
        self._apis: dict[str, OpenAPI] = {}
        self._fast: dict[str, CompiledContract] = {}
        self._tables: dict[str, OperationTable] = {}
        self._report_keys = load_contract().report_keys()
        self._roles = load_contract().sign_off_roles()
        self._last_poll: dict[str, float] = {}
        self._behaviour = BehaviourRules()

    def _api(self) -> OpenAPI:
        name = self.generation.decided
        if name not in self._apis:
            document = copy.deepcopy(load_contract(name).bundle)
            document["servers"] = [{"url": "/"}]  # match by path, whatever host the traffic went to
            self._apis[name] = OpenAPI.from_dict(document)
        return self._apis[name]

    def _compiled(self) -> CompiledContract:
        """The fast path: the generation's schemas compiled once (openapi-core judges what it cannot vouch for)."""
        name = self.generation.decided
        if name not in self._fast:
            self._fast[name] = CompiledContract(load_contract(name).bundle)
        return self._fast[name]

    def operation_id(self, method: str, path: str) -> str | None:
        name = self.generation.decided
        if name not in self._tables:
            self._tables[name] = OperationTable(load_contract(name).bundle)
        return self._tables[name].operation_id(method, path)

    def check_outside(self, exchange: Exchange) -> Verdict:
        """An exchange with another host: judged only if it fetched a presigned file the API handed out."""
        return self._judged(exchange, self._check_outside(exchange))

    def check(self, exchange: Exchange) -> Verdict:
        """The exchange's operation and every finding on either side, placed on the exchange."""
        return self._judged(exchange, self._check(exchange))

    @staticmethod
    def _judged(exchange: Exchange, verdict: Verdict) -> Verdict:
        if verdict.findings:
            curl, request = exchange.curl(), f"{exchange.method} {exchange.path}"
            verdict.findings = [
                replace(f, curl=curl, operation=request, exchange_id=exchange.id, operation_id=verdict.operation_id)
                for f in verdict.findings
            ]
        return verdict

    def _check_outside(self, exchange: Exchange) -> Verdict:
        violations = self._behaviour.check_file(exchange)
        return Verdict(None, in_api=False) if violations is None else Verdict(None, in_api=True, findings=violations)

    def _check(self, exchange: Exchange) -> Verdict:
        if not exchange.path.startswith(API_PREFIX):
            return self._check_outside(exchange)  # not an operation; maybe a presigned file
        parsed = _json_or_unparsed(exchange.content)  # parsed once: generation, schemas, behaviour rules
        content = None if parsed is UNPARSED else parsed
        if 200 <= exchange.status < 300:
            self.generation.detect(exchange.status, content)
        operation_id = self.operation_id(exchange.method, exchange.path)
        verdict = Verdict(operation_id, in_api=True)
        if operation_id is None:
            verdict.findings.append(
                traffic_finding(
                    "request",
                    "unknown-operation",
                    "",
                    "an operation of the published contract",
                    f"{exchange.method} {exchange.path}",
                )
            )
            return verdict
        compiled = self._compiled().get(operation_id)
        content_type = exchange.headers.get("content-type", "application/json").split(";")[0]
        if compiled is None or not compiled.request_is_valid(
            exchange.query_items(), content_type, exchange.body or b""
        ):
            verdict.findings += list(self._request_violations(self._api(), _openapi_request(exchange)))
        verdict.findings += list(self._documented_rules(operation_id, exchange))
        refused = [v for v in verdict.findings if v.rule in REFUSED_RULES]
        if compiled is not None and compiled.response_is_valid(
            exchange.status, exchange.response_headers.get("content-type"), exchange.content, parsed
        ):
            response: list[Finding] = []
        else:
            response = self._response_violations(self._api(), _openapi_request(exchange), exchange)
        if (
            operation_id == Operation.DELETE_SIGN_OFF
            and exchange.status == 400
            and self._behaviour.is_shut(exchange.path)
        ):
            # Ours (the lead's decision, issue 15): a revoke on a closed or locked period is a 400,
            # which the published slice does not declare; it is the answer we asked for, not drift.
            response = [v for v in response if v.rule != "status-undeclared"]
        verdict.findings += response
        answer = unwrap(self.generation.decided, exchange.status, content)
        request_body = _json_or_none(exchange.body)
        verdict.findings += self._behaviour.check(operation_id, exchange, request_body, answer, refused)
        verdict.findings += self._token_scope(exchange)
        return verdict

    def _token_scope(self, exchange: Exchange) -> list[Finding]:
        token = exchange.headers.get("authorization", "").partition(" ")[2].strip()
        business = exchange.headers.get("x-business-id", "").strip().lower()
        allowed = self.identities.get(token)
        if allowed is None or not business or business in allowed or not 200 <= exchange.status < 300:
            return []
        return [
            traffic_finding(
                "response",
                "token-scope",
                "/status",
                f"403: the token may use only {', '.join(sorted(allowed))} (--identity)",
                str(exchange.status),
            )
        ]

    # -- request side --------------------------------------------------------------------------

    @staticmethod
    def _request_violations(api: OpenAPI, request: MockRequest) -> list[Finding]:
        found = []
        for error in api.iter_request_errors(request):
            cause = error.__cause__
            name = getattr(error, "name", None)
            if type(cause).__name__ == "EmptyQueryParameterValue":
                continue  # FastAPI reads ?status= as the empty string, a valid string: not the client's bug
            if name:
                where = f"/query/{name}"
                detail = [e.message for e in getattr(cause, "schema_errors", [])] or [_text(error)]
                found.append(
                    traffic_finding(
                        "request", "request-parameter", where, "a value the schema allows", "; ".join(detail)
                    )
                )
            elif hasattr(cause, "schema_errors"):
                found += _schema_violations("request", "request-schema", cause)
            else:
                found.append(
                    traffic_finding("request", "request-body", "/body", "a JSON body the schema allows", _text(error))
                )
        return found

    def _documented_rules(self, operation_id: str, exchange: Exchange) -> list[Finding]:
        """What the prose says and the published schema cannot hold."""
        found = []
        headers = exchange.headers
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            found.append(
                traffic_finding(
                    "request",
                    "auth-header",
                    "/headers/authorization",
                    "Authorization: Bearer <token> (documented: every operation needs it)",
                    "missing" if "authorization" not in headers else f"{scheme or '(empty)'} ...",
                )
            )
        business = headers.get("x-business-id")
        if business is None or not _is_uuid(business):
            found.append(
                traffic_finding(
                    "request",
                    "business-header",
                    "/headers/x-business-id",
                    "x-business-id: <business UUID> (documented: every operation needs it)",
                    "missing" if business is None else _short(business, 60),
                )
            )
        body = _json_or_none(exchange.body)
        if operation_id == Operation.CREATE_PACKAGE and isinstance(body, dict):
            reports = body.get("selected_reports")
            if isinstance(reports, list):
                for index, key in enumerate(reports):
                    if key not in self._report_keys:
                        found.append(
                            traffic_finding(
                                "request",
                                "report-keys",
                                f"/body/selected_reports/{index}",
                                f"one of {', '.join(self._report_keys)} (documented)",
                                _short(key),
                            )
                        )
        if operation_id in (Operation.CREATE_PACKAGE, Operation.CREATE_PERIOD) and isinstance(body, dict):
            start, end = _date(body.get("period_start")), _date(body.get("period_end"))
            if start and end and start > end:
                found.append(
                    traffic_finding(
                        "request",
                        "date-order" if operation_id == Operation.CREATE_PACKAGE else "period-date-order",
                        "/body",
                        "period_start on or before period_end",
                        f"{start.isoformat()} > {end.isoformat()}",
                    )
                )
        if operation_id in ROLE_OPERATIONS:
            role = body.get("role") if isinstance(body, dict) else dict(exchange.query_items()).get("role")
            if isinstance(role, str) and role not in self._roles:
                found.append(
                    traffic_finding("request", "role", "/role", f"one of {', '.join(self._roles)} (documented)", role)
                )
        if operation_id == Operation.GET_PACKAGE and self.min_poll_interval:
            last = self._last_poll.get(exchange.path)
            self._last_poll[exchange.path] = exchange.at
            if last is not None and exchange.at - last < self.min_poll_interval:
                found.append(
                    traffic_finding(
                        "request",
                        "poll-interval",
                        "",
                        f"polls of one package at least {self.min_poll_interval:g} s apart",
                        f"{exchange.at - last:.2f} s after the previous poll",
                    )
                )
        return found

    # -- response side -------------------------------------------------------------------------

    @staticmethod
    def _response_violations(api: OpenAPI, request: MockRequest, exchange: Exchange) -> list[Finding]:
        content_type = exchange.response_headers.get("content-type")
        response = MockResponse(
            exchange.content,
            status_code=exchange.status,
            headers=exchange.response_headers,
            content_type=content_type.split(";")[0] if content_type else None,  # type: ignore[arg-type]
        )
        found = []
        for error in api.iter_response_errors(request, response):
            cause = error.__cause__
            kind = type(error).__name__
            if kind == "ResponseNotFound":
                found.append(
                    traffic_finding(
                        "response",
                        "status-undeclared",
                        "/status",
                        "a status the operation declares",
                        str(exchange.status),
                    )
                )
            elif hasattr(cause, "schema_errors"):
                found += _schema_violations("response", "response-schema", cause)
            elif "mimetype" in _text(error).lower():
                found.append(
                    traffic_finding(
                        "response", "content-type", "/headers/content-type", "application/json", str(content_type)
                    )
                )
            else:
                found.append(
                    traffic_finding("response", "response-body", "/body", "the declared response", _text(error))
                )
        return found


def _schema_violations(side: str, rule: str, cause: Any) -> list[Finding]:
    """One violation per JSON Schema error of a body, pointed at the value that broke it."""
    return [
        traffic_finding(
            side,
            rule,
            _pointer("/body", error.absolute_path),
            f"{error.validator}: {_short(error.validator_value)}",
            error.message,
        )
        for error in cause.schema_errors
    ]


def _text(error: Exception) -> str:
    """An openapi-core error as text (some fail to print bodies that are not UTF-8)."""
    try:
        return str(error)
    except (UnicodeDecodeError, ValueError):
        return f"{type(error).__name__}: the body cannot be read as text"


def _openapi_request(exchange: Exchange) -> MockRequest:
    """The exchange's request as openapi-core reads it (made only when openapi-core has to judge)."""
    return MockRequest(
        "http://traffic",
        exchange.method.lower(),
        exchange.path,
        args=dict(exchange.query_items()),
        headers=exchange.headers,
        data=exchange.body or None,
        content_type=exchange.headers.get("content-type", "application/json").split(";")[0],
    )


def _json_or_unparsed(body: bytes | None) -> Any:
    """The body's JSON value, or UNPARSED when there is none or it is not JSON."""
    try:
        return json.loads(body) if body else UNPARSED
    except ValueError:
        return UNPARSED


def _json_or_none(body: bytes | None) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text.strip())
        return True
    except ValueError:
        return False


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
