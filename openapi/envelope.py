"""The envelope generation of the contract, derived from the bare bundle by the documented rule.

Each success body ``<Model>`` becomes ``SuccessEnvelope_<Model>_`` = ``{success, message,
code, data}``; a body-less success becomes the envelope without ``data`` (and 204 becomes
200); errors are never wrapped; the envelope pages' additions (``force`` on close, ``search``
on list-periods) are added. The facts live in ``envelope.yaml``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

ENVELOPE_FACTS_PATH = Path(__file__).with_name("envelope.yaml")
SCHEMA_PREFIX = "#/components/schemas/"


class EnvelopeError(ValueError):
    """The bare bundle holds a success body the envelope rule cannot wrap."""


def load_envelope_facts(path: Path = ENVELOPE_FACTS_PATH) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text()))


def envelope_fields(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The envelope's properties; ``data`` only when there is a model to wrap."""
    fields: dict[str, Any] = {
        "success": {"type": "boolean", "title": "Success"},
        "message": {"type": "string", "title": "Message"},
        "code": {"type": "string", "title": "Code"},
    }
    if data is not None:
        fields["data"] = dict(data)
    return fields


def success_model(operation_id: str, schema: Mapping[str, Any], facts: Mapping[str, Any]) -> str:
    """The model name a success body wraps: its $ref, or the name the envelope pages give it."""
    if "$ref" in schema:
        return str(schema["$ref"]).removeprefix(SCHEMA_PREFIX)
    named = facts["data-models"].get(operation_id)
    if not schema and named:
        return str(named)
    raise EnvelopeError(f"{operation_id}: a success body that is neither a $ref nor a named untyped body.")


def envelope_bundle(bare: Mapping[str, Any], facts: Mapping[str, Any]) -> dict[str, Any]:
    """The envelope-generation bundle of a bare bundle."""
    document = copy.deepcopy(dict(bare))
    schemas: dict[str, Any] = document["components"]["schemas"]
    for item in document["paths"].values():
        for operation in item.values():
            responses = operation["responses"]
            for status in [s for s in responses if s.startswith("2")]:
                response = responses[status]
                content = response.get("content", {}).get("application/json")
                if content is None:
                    name = facts["no-data"]["schema-name"]
                    schemas[name] = {"properties": envelope_fields(None), "type": "object", "title": name}
                    del responses[status]
                    responses[facts["no-data"]["status"]] = {
                        **response,
                        "content": {"application/json": {"schema": {"$ref": SCHEMA_PREFIX + name}}},
                    }
                    continue
                model = success_model(operation["operationId"], content.get("schema", {}), facts)
                schemas.setdefault(model, {"type": "object", "title": model})  # name published, fields not
                name = facts["schema-name"].format(model=model)
                schemas[name] = {
                    "properties": envelope_fields({"$ref": SCHEMA_PREFIX + model}),
                    "type": "object",
                    "title": facts["title"].format(model=model),
                }
                content["schema"] = {"$ref": SCHEMA_PREFIX + name}
            operation["responses"] = dict(sorted(responses.items()))
            for parameter in facts["additions"]["query-parameters"].get(operation["operationId"], []):
                position = next(
                    (i for i, p in enumerate(operation["parameters"]) if p["in"] == "header"),
                    len(operation["parameters"]),
                )
                operation["parameters"].insert(position, copy.deepcopy(parameter))
    for model, properties in facts["additions"]["request-properties"].items():
        schemas[model]["properties"].update(copy.deepcopy(properties))
    document["components"]["schemas"] = dict(sorted(schemas.items()))
    document["info"] = {**document["info"], "title": document["info"]["title"] + " (envelope generation)"}
    return document
