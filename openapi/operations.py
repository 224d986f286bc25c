"""The contract's 17 operations, named once (``Operation``), and which one a method and path reach.

``Operation`` is the one table of operations both halves refer to: every other module names an
operation by its member (``Operation.CREATE_PACKAGE``), never by its operationId or path. Each
member's method, path, tag and label are read from the published bundle (tests/test_operations.py
checks that the members are exactly the bundle's operations).
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from dayzero_mock_kit.openapi.bundler import BUNDLE_PATH


@cache
def _published_operations() -> dict[str, tuple[str, str, str, str]]:
    """operationId -> (method, path, tag, summary), from the committed bare bundle."""
    bundle = json.loads(BUNDLE_PATH.read_text(encoding="utf-8"))
    return {
        operation["operationId"]: (method.upper(), path, operation["tags"][0], operation["summary"])
        for path, item in bundle["paths"].items()
        for method, operation in item.items()
    }


class Operation(enum.StrEnum):
    """One published operation; the value is its operationId (as routing and the documents name it)."""

    # month-end-packages
    CREATE_PACKAGE = "create_package_api_v1_month_end_packages_post"
    LIST_PACKAGES = "list_packages_api_v1_month_end_packages_get"
    GET_PACKAGE = "get_package_api_v1_month_end_packages__package_id__get"
    GET_DOWNLOAD_URL = "get_download_url_api_v1_month_end_packages__package_id__download_get"
    # accounting-periods
    LIST_PERIODS = "list_periods_api_v1_accounting_periods_get"
    CREATE_PERIOD = "create_period_api_v1_accounting_periods_post"
    GET_PERIOD = "get_period_api_v1_accounting_periods__period_id__get"
    CLOSE_PERIOD = "close_period_api_v1_accounting_periods_close_post"
    REOPEN_PERIOD = "reopen_period_api_v1_accounting_periods__period_id__reopen_post"
    BULK_LOCK_PERIODS = "bulk_lock_periods_api_v1_accounting_periods_bulk_lock_post"
    CHECK_CLOSE_READINESS = "check_close_readiness_api_v1_accounting_periods__period_id__close_readiness_post"
    GET_CLOSE_SCORE = "get_close_score_api_v1_accounting_periods__period_id__close_score_get"
    GET_SCORE_HISTORY = "get_score_history_api_v1_accounting_periods__period_id__score_history_get"
    LIST_CHECKLIST_ACKS = "list_period_checklist_acks_api_v1_accounting_periods__period_id__checklist_acks_get"
    ACKNOWLEDGE_CHECKLIST_STEP = (
        "acknowledge_checklist_step_api_v1_accounting_periods__period_id__checklist_acks__step_id__put"
    )
    CREATE_SIGN_OFF = "create_period_sign_off_api_v1_accounting_periods__period_id__sign_offs_post"
    DELETE_SIGN_OFF = "delete_period_sign_off_api_v1_accounting_periods__period_id__sign_offs_delete"

    @property
    def method(self) -> str:
        """The HTTP method, upper case."""
        return _published_operations()[self.value][0]

    @property
    def path(self) -> str:
        """The path template, as published (``/api/v1/month-end-packages/{package_id}``)."""
        return _published_operations()[self.value][1]

    @property
    def tag(self) -> str:
        """The published tag (``month-end-packages`` or ``accounting-periods``)."""
        return _published_operations()[self.value][2]

    @property
    def label(self) -> str:
        """The published summary, short enough for a log line or a table."""
        return _published_operations()[self.value][3]

    @property
    def route(self) -> str:
        """``METHOD /path``, as logs and reports write an operation."""
        return f"{self.method} {self.path}"

    @classmethod
    def of(cls, operation_id: str) -> Operation | None:
        """The member with this operationId, or None for one outside the contract."""
        try:
            return cls(operation_id)
        except ValueError:
            return None


class OperationTable:
    """Paths of one OpenAPI document as patterns; literal segments win over templates, as in routing
    (/accounting-periods/close is the "/close" path, not "/{period_id}" with period_id "close")."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._paths: list[tuple[re.Pattern[str], dict[str, str]]] = []
        for template, item in sorted(document["paths"].items(), key=lambda entry: entry[0].count("{")):
            pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
            self._paths.append((pattern, {method.upper(): op["operationId"] for method, op in item.items()}))

    def _item(self, path: str) -> dict[str, str]:
        return next((methods for pattern, methods in self._paths if pattern.match(path)), {})

    def methods(self, path: str) -> list[str]:
        """Every method the first matching path declares (for 405's Allow header)."""
        return sorted(self._item(path))

    def operation_id(self, method: str, path: str) -> str | None:
        """The operation routing reaches: GET /accounting-periods/close is get-period with id "close"."""
        wanted = method.upper()
        return next(
            (methods[wanted] for pattern, methods in self._paths if wanted in methods and pattern.match(path)), None
        )
