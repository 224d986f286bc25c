"""Documented behaviour an upstream's answers must keep, as far as traffic alone shows it.

A schema cannot say that a list filtered by status holds only that status, that a package's
status never goes back, or that a period belongs to the business that asked. These rules
watch the exchanges one after the other (remembering packages, periods and acks seen) and
report an answer that breaks such a rule as a response finding. What traffic cannot show (a
zip's contents, which businesses a token may use) is left to ``dayzero-conformance run``.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from conformance.documented import (
    PACKAGE_STATUS_ORDER,
    PERIOD_STATUSES,
    READINESS_STATUSES,
    SCORE_COMPONENTS,
    SET_WHEN,
    keys_at_any_depth,
)
from conformance.http import Exchange
from conformance.registry import MUST
from conformance.results import Finding
from conformance.traffic.page_walks import PageWalks
from conformance.traffic.rules import traffic_finding, traffic_rule
from dayzero_mock_kit.openapi.operations import Operation

PERIOD_WRITES = (Operation.ACKNOWLEDGE_CHECKLIST_STEP, Operation.CREATE_SIGN_OFF, Operation.DELETE_SIGN_OFF)
LISTS = (Operation.LIST_PACKAGES, Operation.LIST_PERIODS)
PERIOD_CHANGES = (Operation.CREATE_PERIOD, Operation.CLOSE_PERIOD, Operation.REOPEN_PERIOD)
IMMUTABLE_SORTS = ("created_at", "period_start", "period_end")
# A boolean query parameter as FastAPI reads it (``descending``).
BOOLEANS = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False}
# What a package's create fixes for good (MEP/create-package: its inputs); no later answer may differ.
INPUTS = ("business_id", "accounting_period_id", "period_start", "period_end", "report_format", "selected_reports")
# Request findings that mean "the contract refuses this request": a 2xx answer to it is the upstream's break.
REFUSED_RULES = ("report-keys", "date-order", "period-date-order", "role", "request-schema", "request-parameter")


def _lifecycle_fields(package: dict[str, Any], at: str) -> list[Finding]:
    status = package.get("status")
    return [
        _broke("lifecycle-fields", f"{at}/{name}", f"{name} set: the package is {status}", package.get(name))
        for name in SET_WHEN.get(str(status), ())
        if package.get(name) in (None, "")
    ]


def _moment(value: Any) -> datetime | None:
    """A date or date-time as an aware datetime (compared by time, not by text); None if it is neither."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _page_order(page: dict[str, Any], query: dict[str, str]) -> list[Finding]:
    """The items of one answer in the order its query asks (documented defaults: created_at, descending).

    Only within this one answer (no write of another client can reorder a page already sent), and
    only for sort columns that are dates that never change (compared as times; a text column's
    order is the database's collation, a status's may be an enum's declaration order).
    """
    sort_by = query.get("sort_by") or "created_at"
    descending = BOOLEANS.get(query.get("descending", "true").lower())
    if sort_by not in IMMUTABLE_SORTS or descending is None or query.get("direction", "next") not in ("next", "prev"):
        return []
    before: tuple[int, datetime] | None = None
    for index, item in enumerate(_listed(page)):
        moment = _moment(item.get(sort_by)) if isinstance(item, dict) else None
        if moment is None:
            continue
        if before is not None and (moment > before[1] if descending else moment < before[1]):
            way = "descending" if descending else "ascending"
            return [
                _broke(
                    "page-order",
                    f"/body/items/{index}/{sort_by}",
                    f"{sort_by} {way}: item {index} no {'later' if descending else 'earlier'} than item {before[0]}'s "
                    f"{before[1].isoformat()}",
                    item[sort_by],
                )
            ]
        before = (index, moment)
    return []


def _broke(rule: str, pointer: str, expected: str, actual: Any) -> Finding:
    return traffic_finding("response", rule, pointer, expected, str(actual)[:300])


class BehaviourRules:
    """Remembers what the traffic showed and checks each new answer against it."""

    def __init__(self) -> None:
        self._package_status: dict[str, str] = {}
        self._downloaded: set[str] = set()  # packages a download URL was handed out for
        self._periods: dict[str, dict[str, Any]] = {}
        self._acks: dict[tuple[str, str], str] = {}
        self._reports: dict[str, int] = {}  # package id -> how many reports it selected
        self._filenames: dict[str, str] = {}  # package id -> the filename a ready package or its download gave
        self._inputs: dict[str, dict[str, Any]] = {}  # package id -> its inputs, as its create answered them
        self._files: dict[str, dict[str, Any]] = {}  # presigned path?query -> what the download answer said
        self._walked: dict[tuple[str, ...], dict[str, str]] = {}  # listing -> id: sort value, on forward pages
        self._page_walks = PageWalks()

    def check(
        self, operation_id: str, exchange: Exchange, request: Any, answer: Any, refused: list[Finding]
    ) -> list[Finding]:
        """Violations of documented behaviour in this answer (``answer``: the model, envelope removed)."""
        found: list[Finding] = []
        if exchange.status == 401 and "bearer" not in exchange.response_headers.get("www-authenticate", "").lower():
            found.append(_broke("bearer-challenge", "/headers/www-authenticate", "WWW-Authenticate: Bearer", None))
        if not 200 <= exchange.status < 300:
            return found
        if exchange.method.upper() != "GET":
            self._page_walks.write_seen()
        documented = sorted({f.rule for f in refused if traffic_rule(f.rule).level == MUST})
        if documented:
            found.append(
                _broke(
                    "accepted-refusable",
                    "/status",
                    "a 4xx for a request the contract refuses (" + ", ".join(documented) + ")",
                    exchange.status,
                )
            )
        if any(v.rule == "period-date-order" for v in refused):
            found.append(_broke("period-dates-accepted", "/status", "a 4xx: period_end is before period_start", 201))
        business = exchange.headers.get("x-business-id", "").strip().lower()
        for pointer, item in _owned_objects(answer):
            owner = str(item.get("business_id", "")).lower()
            if business and owner and owner != business:
                found.append(_broke("business-scope", f"/body{pointer}/business_id", f"business {business}", owner))
        query = dict(exchange.query_items())
        if operation_id in LISTS and isinstance(answer, dict):
            found += self._list(answer, query)
            found += _page_order(answer, query)
            found += self._walk(exchange.path, answer, query)
            found += self._page_walks.see(exchange.path, query, answer)
        if operation_id in (Operation.CREATE_PACKAGE, Operation.GET_PACKAGE):
            created = operation_id == Operation.CREATE_PACKAGE
            package = answer.get("package") if created and isinstance(answer, dict) else answer
            if isinstance(package, dict):
                found += self._package(package, request if created else None)
                found += self._same_inputs(package, created)
                found += _lifecycle_fields(package, "/body/package" if created else "/body")
            if created and isinstance(package, dict) and answer.get("workflow_id") != package.get("workflow_id"):
                found.append(
                    _broke(
                        "workflow-id",
                        "/body/workflow_id",
                        f"the package's workflow_id {package.get('workflow_id')} (documented: 'also on package')",
                        answer.get("workflow_id"),
                    )
                )
        if operation_id == Operation.GET_CLOSE_SCORE and isinstance(answer, dict):
            score = answer.get("score")
            if isinstance(score, (int, float)) and not 0 <= score <= 100:
                found.append(
                    _broke("close-score-range", "/body/score", "a score within 0-100, like readiness's", score)
                )
            missing = [name for name in SCORE_COMPONENTS if name not in keys_at_any_depth(answer)]
            if missing:
                found.append(
                    _broke(
                        "close-score-components", "/body", ", ".join(SCORE_COMPONENTS), f"missing {', '.join(missing)}"
                    )
                )
        if operation_id == Operation.GET_DOWNLOAD_URL:
            package_id = exchange.path.rstrip("/").split("/")[-2]
            self._downloaded.add(package_id)
            if isinstance(answer, dict) and isinstance(answer.get("download_url"), str):
                where = _where(answer["download_url"])
                before = self._files.get(where)
                if before is not None and before["package_id"] == package_id:
                    found.append(
                        _broke(
                            "download-url-fresh",
                            "/body/download_url",
                            "a fresh URL per call (documented), not the one an earlier answer for the package gave",
                            answer["download_url"],
                        )
                    )
                self._files[where] = {**answer, "package_id": package_id}
            if isinstance(answer, dict) and isinstance(answer.get("filename"), str):
                found += self._same_filename(package_id, answer["filename"], "/body/filename")
        if operation_id in PERIOD_CHANGES and isinstance(answer, dict):
            found += self._period_change(operation_id, answer)
        if operation_id == Operation.BULK_LOCK_PERIODS and isinstance(answer, dict):
            found += _bulk_lock_counts(answer)
        if operation_id == Operation.CHECK_CLOSE_READINESS and isinstance(answer, dict):
            score = answer.get("score")
            if isinstance(score, (int, float)) and not 0 <= score <= 100:
                found.append(_broke("score-range", "/body/score", "a score on the 0-100 scale (documented)", score))
            items = answer.get("items")
            for index, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, dict) and item.get("status") not in READINESS_STATUSES:
                    found.append(
                        _broke(
                            "readiness-item-status",
                            f"/body/items/{index}/status",
                            "pass, warning or fail (documented)",
                            item.get("status"),
                        )
                    )
        if operation_id in PERIOD_WRITES and self.is_shut(exchange.path):
            found.append(
                _broke(
                    "closed-period-writes",
                    "/status",
                    "400: the period is closed or locked and must be reopened first (ours)",
                    exchange.status,
                )
            )
        if operation_id == Operation.ACKNOWLEDGE_CHECKLIST_STEP and isinstance(answer, dict):
            key = (exchange.path.split("/")[-3], str(answer.get("step_id")))
            known = self._acks.setdefault(key, str(answer.get("id")))
            if known != str(answer.get("id")):
                found.append(
                    _broke(
                        "ack-idempotent", "/body/id", f"the same ack {known} (the PUT is idempotent)", answer.get("id")
                    )
                )
        if (
            isinstance(answer, dict)
            and {"period_start", "period_end", "status", "id"} <= set(answer)
            and ("package" not in answer and "selected_reports" not in answer)
        ):
            self._periods[str(answer["id"])] = answer
            found += _period_status(answer, "/body")
        if operation_id == Operation.LIST_PERIODS and isinstance(answer, dict):
            for index, item in enumerate(_listed(answer)):
                if isinstance(item, dict) and "id" in item:
                    self._periods[str(item["id"])] = item
                    found += _period_status(item, f"/body/items/{index}")
        if operation_id == Operation.BULK_LOCK_PERIODS and isinstance(answer, dict):
            for period_id in answer.get("locked_ids") or []:
                if str(period_id) in self._periods:
                    self._periods[str(period_id)] = {**self._periods[str(period_id)], "status": "locked"}
        return found

    def is_shut(self, path: str) -> bool:
        """Whether the traffic showed the period of this path closed or locked."""
        parts = path.split("/")
        known = self._periods.get(parts[4]) if len(parts) > 4 else None
        return known is not None and known.get("status") in ("closed", "locked")

    def _list(self, page: dict[str, Any], query: dict[str, str]) -> list[Finding]:
        found = []
        items = [item for item in _listed(page) if isinstance(item, dict)]
        wanted = query.get("status")
        if wanted:
            for index, item in enumerate(items):
                if item.get("status") != wanted:
                    found.append(
                        _broke("status-filter", f"/body/items/{index}/status", f"status {wanted}", item.get("status"))
                    )
        limit = query.get("limit", "50")
        if limit.isdigit() and len(items) > int(limit):
            found.append(
                _broke("page-limit", "/body/items", f"at most {limit} items (the limit asked for)", len(items))
            )
        total = page.get("total")
        if isinstance(total, int) and not query.get("cursor") and page.get("has_next") is False and total != len(items):
            found.append(_broke("total", "/body/total", f"{len(items)}, the whole filtered listing on one page", total))
        if page.get("has_next") and not page.get("next_cursor"):
            found.append(_broke("pagination-flags", "/body/next_cursor", "a next_cursor when has_next is true", None))
        if query.get("cursor") and query.get("direction", "next") == "next" and not items and page.get("has_prev"):
            found.append(
                _broke(
                    "pagination-flags", "/body/items", "items after a next_cursor (the page before said has_next)", "[]"
                )
            )
        for item in items:
            if "selected_reports" in item:
                self._note_package(item)
        return found

    def _walk(self, path: str, page: dict[str, Any], query: dict[str, str]) -> list[Finding]:
        """Walking back must not reveal an item the walk forward skipped over.

        Only for sort columns that never change (an item cannot move), and only inside the range
        the forward pages covered (an item created since sorts outside it).
        """
        sort_by = query.get("sort_by") or "created_at"
        if sort_by not in IMMUTABLE_SORTS:
            return []
        # One walk: the same listing paged with the same limit.
        filters = (query.get(name, "") for name in ("descending", "status", "search", "limit"))
        key = (path, sort_by, *filters)
        walked = self._walked.setdefault(key, {})
        items = [i for i in _listed(page) if isinstance(i, dict) and isinstance(i.get(sort_by), str)]
        if not (query.get("cursor") and query.get("direction") == "prev"):
            walked.update({str(i.get("id")): i[sort_by] for i in items})
            return []
        if len(walked) < 2:
            return []
        low, high = min(walked.values()), max(walked.values())
        return [
            _broke(
                "pagination-skip",
                f"/body/items/{index}",
                "only items the pages forward showed (no page may drop one)",
                f"{item.get('id')} ({sort_by} {item[sort_by]}) was never on a forward page",
            )
            for index, item in enumerate(items)
            if str(item.get("id")) not in walked and low < item[sort_by] < high
        ]

    def check_file(self, exchange: Exchange) -> list[Finding] | None:
        """A fetch of a presigned URL a download answer handed out, judged against that answer;
        None when the exchange fetched no such URL."""
        handed_out = self._files.get(_where(exchange.url))
        if handed_out is None or exchange.status != 200:
            return None
        found = []
        size = handed_out.get("file_size_bytes")
        if isinstance(size, int) and size != len(exchange.content):
            found.append(
                _broke("file-size", "/body", f"{size} bytes (file_size_bytes)", f"{len(exchange.content)} bytes")
            )
        expected = self._reports.get(str(handed_out["package_id"]))
        try:
            names = [n for n in zipfile.ZipFile(io.BytesIO(exchange.content)).namelist() if not n.endswith("/")]
        except zipfile.BadZipFile:
            return [*found, _broke("zip", "/body", "a zip archive", "not a zip")]
        if expected is not None and len(names) != expected:
            found.append(_broke("zip-reports", "/body", f"{expected} reports (one per selected report)", len(names)))
        return found

    def _note_package(self, package: dict[str, Any]) -> list[Finding]:
        package_id, status = str(package.get("id")), package.get("status")
        if isinstance(package.get("selected_reports"), list):
            self._reports[package_id] = len(package["selected_reports"])
        if status not in PACKAGE_STATUS_ORDER:
            return []
        if status == "ready" and isinstance(package.get("filename"), str):
            renamed = self._same_filename(package_id, package["filename"], "/body/filename")
            if renamed:
                return renamed
        before = self._package_status.get(package_id)
        self._package_status[package_id] = status
        if before is not None and PACKAGE_STATUS_ORDER[status] < PACKAGE_STATUS_ORDER[before]:
            return [_broke("lifecycle-forward", "/body/status", f"{before} or later (statuses never go back)", status)]
        if package_id in self._downloaded and status != "ready":
            return [
                _broke("download-when-ready", "/body/status", "ready: a download URL was handed out for it", status)
            ]
        return []

    def _same_filename(self, package_id: str, filename: str, pointer: str) -> list[Finding]:
        """A ready package's filename never changes: the package and its download answers agree."""
        known = self._filenames.setdefault(package_id, filename)
        if known == filename:
            return []
        return [_broke("filename", pointer, f"{known}, as the package said before (inferred: one name)", filename)]

    def _same_inputs(self, package: dict[str, Any], created: bool) -> list[Finding]:
        """A get answers the record its create answered: the inputs (business, period, format,
        reports) never change, whoever else writes, so any difference is the upstream's."""
        package_id = str(package.get("id"))
        if created:
            self._inputs[package_id] = {name: package[name] for name in INPUTS if name in package}
            return []
        found = []
        for name, known in self._inputs.get(package_id, {}).items():
            if name in package and _input(name, package[name]) != _input(name, known):
                expected = f"{known!r}, as its create answered (it never changes)"
                found.append(_broke("package-inputs", f"/body/{name}", expected, package[name]))
        return found

    def _package(self, package: dict[str, Any], request: Any) -> list[Finding]:
        found = self._note_package(package)
        period_id = request.get("accounting_period_id") if isinstance(request, dict) else None
        period = self._periods.get(str(period_id)) if period_id else None
        if period is not None:
            for name in ("period_start", "period_end"):
                if not str(package.get(name, "")).startswith(str(period.get(name))):
                    found.append(
                        _broke(
                            "period-dates",
                            f"/body/package/{name}",
                            f"the period's {period.get(name)}",
                            package.get(name),
                        )
                    )
        return found

    def _period_change(self, operation_id: str, period: dict[str, Any]) -> list[Finding]:
        found = []
        before = self._periods.get(str(period.get("id")))
        if operation_id == Operation.CREATE_PERIOD:
            for other in self._periods.values():
                same_business = other.get("business_id") == period.get("business_id")
                if same_business and other.get("id") != period.get("id") and _overlap(other, period):
                    found.append(
                        _broke(
                            "period-overlap",
                            "/status",
                            f"409: overlaps {other.get('period_start')} to {other.get('period_end')}",
                            "201",
                        )
                    )
                    break
        if operation_id == Operation.CLOSE_PERIOD:
            if before is not None and before.get("status") in ("closed", "locked"):
                found.append(
                    _broke("close-once", "/status", f"a refusal: the period was already {before['status']}", 201)
                )
            for name in ("closed_at", "closed_by_user_id"):
                if not period.get(name):
                    found.append(_broke("close-audit", f"/body/{name}", f"{name} set (closing is audited)", None))
        if operation_id == Operation.REOPEN_PERIOD:
            for name in ("reopened_at", "reopened_by_user_id", "reopen_reason"):
                if not period.get(name):
                    found.append(_broke("reopen-audit", f"/body/{name}", f"{name} set (reopening is audited)", None))
        return found


def _input(name: str, value: Any) -> Any:
    """An input as the check compares it: a period's day (a date or the date-time that starts it)."""
    return str(value)[:10] if name.startswith("period_") and value is not None else value


def _listed(page: dict[str, Any]) -> list[Any]:
    """A page's items; none when the answer has no list there (its schema finding says so)."""
    items = page.get("items")
    return items if isinstance(items, list) else []


def _period_status(period: dict[str, Any], pointer: str) -> list[Finding]:
    if period.get("status") in PERIOD_STATUSES:
        return []
    return [_broke("period-status", f"{pointer}/status", "open, closed or locked (documented)", period.get("status"))]


def _where(url: str) -> str:
    """A URL's path and query: the proxy's host stands in for the upstream's."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    try:
        return str(a["period_start"]) <= str(b["period_end"]) and str(b["period_start"]) <= str(a["period_end"])
    except KeyError:
        return False


def _bulk_lock_counts(result: dict[str, Any]) -> list[Finding]:
    found = []
    for count, listed in (("locked_count", "locked_ids"), ("skipped_count", "skipped")):
        known = isinstance(result.get(count), int) and isinstance(result.get(listed), list)
        if known and result[count] != len(result[listed]):
            found.append(
                _broke("bulk-lock-counts", f"/body/{count}", f"{len(result[listed])} (len({listed}))", result[count])
            )
    return found


def _owned_objects(answer: Any) -> list[tuple[str, dict[str, Any]]]:
    """Objects of the answer that name their business: the answer, its items, its package."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(answer, dict):
        found.append(("", answer))
        if isinstance(answer.get("package"), dict):
            found.append(("/package", answer["package"]))
        for index, item in enumerate(_listed(answer)):
            if isinstance(item, dict):
                found.append((f"/items/{index}", item))
    return found
