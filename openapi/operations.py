"""Which operation of the contract a method and path name, as routing decides it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any


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
