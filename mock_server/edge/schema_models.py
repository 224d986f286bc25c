"""Pydantic models built from the contract's JSON Schemas.

The real backend is FastAPI + pydantic v2; validating with pydantic models derived from the
same schemas gives the mock the backend's exact 422 entries (``type``, ``loc``, ``msg``,
``input``, ``ctx``) without restating a single field by hand. Covers the subset of JSON
Schema the contract uses: $ref, anyOf (incl. null), enum, string formats date/date-time/uuid,
integer bounds, arrays with minItems, objects with required properties and defaults.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Mapping
from typing import Annotated, Any, Optional, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model
from pydantic_core import PydanticCustomError


def _json_string_only(kind: str, label: str) -> BeforeValidator:
    """Dates, date-times and UUIDs are JSON strings in the contract. Pydantic's lax mode would also
    read a number as a Unix timestamp; refuse it with the error strict JSON parsing gives."""

    def check(value: Any) -> Any:
        if isinstance(value, (int, float, bool)):
            raise PydanticCustomError(f"{kind}_type", f"Input should be a valid {label}")
        return value

    return BeforeValidator(check)


_STRING_FORMATS: dict[str, Any] = {
    "date": Annotated[dt.date, _json_string_only("date", "date")],
    "date-time": Annotated[dt.datetime, _json_string_only("datetime", "datetime")],
    "uuid": Annotated[uuid.UUID, _json_string_only("uuid", "UUID")],
}


class SchemaModels:
    """Turns schemas of one OpenAPI document into pydantic types, each component once."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._schemas: Mapping[str, Any] = document.get("components", {}).get("schemas", {})
        self._built: dict[str, Any] = {}

    def component(self, name: str) -> Any:
        """The pydantic type of ``components.schemas.<name>``."""
        if name not in self._built:
            self._built[name] = self.annotation(self._schemas[name], name)
        return self._built[name]

    def model_for_fields(self, name: str, fields: Mapping[str, tuple[Mapping[str, Any], bool]]) -> type[BaseModel]:
        """A model whose fields are ``{field name: (schema, required)}`` (used for parameters)."""
        definitions = {
            field_name: self._field(schema, required, f"{name}_{field_name}")
            for field_name, (schema, required) in fields.items()
        }
        return _model(name, definitions)

    def annotation(self, schema: Mapping[str, Any], hint: str) -> Any:
        if "$ref" in schema:
            return self.component(schema["$ref"].rsplit("/", 1)[-1])
        if "anyOf" in schema:
            options = [s for s in schema["anyOf"] if s.get("type") != "null"]
            nullable = len(options) < len(schema["anyOf"])
            types = [self.annotation(s, f"{hint}_{i}") for i, s in enumerate(options)]
            inner = types[0] if len(types) == 1 else Union[tuple(types)]  # noqa: UP007
            return Optional[inner] if nullable else inner  # noqa: UP045
        kind = schema.get("type")
        if "enum" in schema:
            members = {str(v): v for v in schema["enum"]}
            return enum.Enum(schema.get("title", hint), members, type=str)  # type: ignore[misc]
        if kind == "string":
            base = _STRING_FORMATS.get(schema.get("format", ""), str)
            return (
                Annotated[base, Field(min_length=schema.get("minLength"), max_length=schema.get("maxLength"))]
                if base is str
                else base
            )
        if kind == "integer":
            return Annotated[int, Field(ge=schema.get("minimum"), le=schema.get("maximum"))]
        if kind == "number":
            return Annotated[float, Field(ge=schema.get("minimum"), le=schema.get("maximum"))]
        if kind == "boolean":
            return bool
        if kind == "array":
            item = self.annotation(schema.get("items", {}), f"{hint}_item")
            return Annotated[list[item], Field(min_length=schema.get("minItems"), max_length=schema.get("maxItems"))]  # type: ignore[valid-type]
        if kind == "object" or "properties" in schema:
            required = set(schema.get("required", []))
            definitions = {
                prop: self._field(sub, prop in required, f"{hint}_{prop}")
                for prop, sub in schema.get("properties", {}).items()
            }
            return _model(schema.get("title", hint), definitions)
        return Any

    def _field(self, schema: Mapping[str, Any], required: bool, hint: str) -> tuple[Any, Any]:
        annotation = self.annotation(schema, hint)
        if required:
            return (annotation, ...)
        default = schema.get("default")
        if default is not None and isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            default = annotation(default)
        return (annotation, default)


def _model(name: str, definitions: Mapping[str, tuple[Any, Any]]) -> type[BaseModel]:
    # Aliases keep names like "x-business-id" usable as field names.
    fields = {
        f"f{i}": (annotation, Field(default, alias=field_name) if default is not ... else Field(alias=field_name))
        for i, (field_name, (annotation, default)) in enumerate(definitions.items())
    }
    config = ConfigDict(extra="ignore", populate_by_name=False)
    return create_model(name.replace(" ", ""), __config__=config, **fields)  # type: ignore[call-overload,no-any-return]
