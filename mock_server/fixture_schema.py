"""The fixture file's schema: pydantic models that refuse unknown keys, the cross-references
between entries, and errors that name the file, the place inside it and what was expected.

``fixtures/fixture.schema.json`` is generated from ``FixtureFile`` (``python -m
mock_server.fixture_schema``; a test keeps it in sync) so editors complete and check fixture files.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dayzero_mock_kit.fixtures import DEFAULT_FIXTURES
from dayzero_mock_kit.openapi import load_contract

SCHEMA_PATH = DEFAULT_FIXTURES.with_name("fixture.schema.json")

# The report keys a failure rule may name: the contract's own list (an overlay enum).
ReportKey = Enum("ReportKey", {key: key for key in load_contract("bare").report_keys()}, type=str)  # type: ignore[misc]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# What a business id must look like: clients send it as x-business-id, which the mock refuses
# (422) unless it is a UUID, so any other id would name a business nobody can call.
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class BusinessEntry(_Entry):
    id: str = Field(pattern=UUID_PATTERN, description="the business id clients send as x-business-id (a UUID)")
    name: str = Field(min_length=1)
    cfo_suite: bool = Field(default=True, description="false: every call for this business answers 403 (no add-on)")


class UserEntry(_Entry):
    id: str = Field(min_length=1)
    email: str = ""
    businesses: list[str] = Field(description="ids of the businesses (above) this user may act on")


class TokenEntry(_Entry):
    token: str = Field(min_length=1, description="the bearer token, as sent in Authorization: Bearer ...")
    user: str = Field(description="the id of a user above")
    expires_at: datetime | None = Field(default=None, description="past: the token answers 401")


class PeriodsEntry(_Entry):
    months: int = Field(
        default=24, ge=1, le=600, description="monthly periods per business, ending with the current one"
    )
    closed_months: int = Field(
        default=3, ge=0, description="months before the current one that are closed (older: locked)"
    )


class FailureEntry(_Entry):
    """Builds matching every given field fail with ``error_message``."""

    error_message: str = Field(min_length=1)
    business_id: str | None = None
    period_start: date | None = None
    report: ReportKey | None = None  # type: ignore[valid-type]


class FixtureFile(_Entry):
    """Businesses, users, tokens, periods and failure rules of dayzero-mock."""

    businesses: list[BusinessEntry] = Field(min_length=1)
    users: list[UserEntry]
    tokens: list[TokenEntry]
    periods: PeriodsEntry = PeriodsEntry()
    failures: list[FailureEntry] = []

    @model_validator(mode="after")
    def _closed_within_months(self) -> FixtureFile:
        if self.periods.closed_months >= self.periods.months:
            raise ValueError("periods.closed_months must be below periods.months (the current month is open)")
        return self


def place(location: tuple[int | str, ...]) -> str:
    """``("businesses", 2, "cfo_suit")`` -> ``businesses[2].cfo_suit``."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the top level"


def problems(raw: Any) -> tuple[FixtureFile | None, list[str]]:
    """The checked file, or None and one line per problem (``place: what was expected``)."""
    try:
        checked = FixtureFile.model_validate(raw)
    except ValidationError as error:
        return None, [_line(entry) for entry in error.errors()]
    return checked, _dangling(checked)


def _line(entry: Any) -> str:
    location = tuple(entry["loc"])
    if entry["type"] == "extra_forbidden":
        allowed = _keys_at(location[:-1])
        return f"{place(location)}: unknown key (expected one of {', '.join(allowed)})"
    if entry["type"] == "missing":
        return f"{place(location)}: required, missing"
    if entry["type"] == "string_pattern_mismatch" and location[-1:] == ("id",) and location[:1] == ("businesses",):
        return f"{place(location)}: expected a UUID (clients send it as x-business-id), not {entry.get('input')!r}"
    if entry["type"] in ("model_type", "model_attributes_type", "dict_type"):
        keys = ", ".join(_keys_at(location))
        return f"{place(location)}: expected a mapping with the keys {keys}{_got(entry.get('input'))}"
    return f"{place(location)}: {entry['msg'][0].lower()}{entry['msg'][1:]}{_got(entry.get('input'))}"


def _got(given: Any) -> str:
    if isinstance(given, str | int | float | bool) or given is None:
        return f" (got {given!r})"
    return f" (got a {'list' if isinstance(given, list) else type(given).__name__})"


def _keys_at(location: tuple[int | str, ...]) -> list[str]:
    """The keys allowed in the mapping at ``location`` (walks the models' annotations)."""
    model: Any = FixtureFile
    for part in location:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        while typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
            annotation = next(arg for arg in typing.get_args(annotation) if arg is not type(None))
        model = annotation
    return list(model.model_fields)


def _dangling(checked: FixtureFile) -> list[str]:
    """Entries given twice, and references to entries that do not exist."""
    found = [
        *_repeated("businesses", "id", [business.id.lower() for business in checked.businesses]),
        *_repeated("users", "id", [user.id for user in checked.users]),
        *_repeated("tokens", "token", [token.token for token in checked.tokens]),
    ]
    business_ids = {business.id for business in checked.businesses}
    user_ids = {user.id for user in checked.users}
    for index, user in enumerate(checked.users):
        for at, business_id in enumerate(user.businesses):
            if business_id not in business_ids:
                found.append(f"users[{index}].businesses[{at}]: no business has the id {business_id!r}")
    for index, token in enumerate(checked.tokens):
        if token.user not in user_ids:
            found.append(
                f"tokens[{index}].user: no user has the id {token.user!r} (users: {', '.join(sorted(user_ids))})"
            )
    for index, rule in enumerate(checked.failures):
        if rule.business_id is not None and rule.business_id not in business_ids:
            found.append(f"failures[{index}].business_id: no business has the id {rule.business_id!r}")
    return found


def _repeated(section: str, key: str, values: list[str]) -> list[str]:
    """One line per entry whose ``key`` an earlier entry of ``section`` already has (one would hide the other)."""
    first: dict[str, int] = {}
    found = []
    for index, value in enumerate(values):
        if value in first:
            found.append(
                f"{section}[{index}].{key}: {value!r} is already {section}[{first[value]}]'s (each must be unique)"
            )
        first.setdefault(value, index)
    return found


def json_schema() -> dict[str, Any]:
    """The JSON Schema published beside the fixture (editors complete fixture files with it)."""
    schema = FixtureFile.model_json_schema()
    return {**schema, "$schema": "https://json-schema.org/draft/2020-12/schema", "title": "dayzero-mock fixture file"}


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2) + "\n"


def main(argv: list[str]) -> int:
    """Write the fixture's JSON Schema to PATH (default: beside the fixture); -h prints the usage."""
    if any(arg.startswith("-") for arg in argv) or len(argv) > 1:
        print(
            "usage: python -m mock_server.fixture_schema [PATH]  (writes the fixture file's JSON Schema; "
            f"default {SCHEMA_PATH})",
            file=sys.stderr,
        )
        return 0 if argv in (["-h"], ["--help"]) else 2
    Path(argv[0] if argv else SCHEMA_PATH).write_text(schema_text())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
