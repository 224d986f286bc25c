"""An OpenAPI 3.0.3 rendition of a 3.1 document, for connexion only.

Connexion 3.3 refuses 3.1 documents and breaks on ``anyOf: [X, {type: null}]`` parameter
schemas (STACK-NOTES, spec-first/connexion#1396). Connexion only routes with this rendition;
validation uses the 3.1 schemas themselves (request_validation), and clients are served the
real 3.1 bundle.
"""

from __future__ import annotations

from typing import Any


def downgrade(document: dict[str, Any]) -> dict[str, Any]:
    """A 3.0.3 copy of ``document``: null unions become ``nullable``, 3.1-only keywords are rewritten."""
    converted = _convert(document)
    converted["openapi"] = "3.0.3"
    return converted


def _convert(node: Any) -> Any:
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _convert(value) for key, value in node.items()}
    if "anyOf" in node and isinstance(node["anyOf"], list):
        options = [option for option in node["anyOf"] if option != {"type": "null"}]
        if len(options) < len(node["anyOf"]):
            node.pop("anyOf")
            if len(options) == 1:
                merged = {**options[0], **node}
                if "$ref" in merged:  # 3.0 ignores $ref siblings: wrap it
                    merged = {"allOf": [{"$ref": merged.pop("$ref")}], **merged}
                node = merged
            else:
                node["anyOf"] = options
            node["nullable"] = True
    if isinstance(node.get("type"), list):
        types = [t for t in node["type"] if t != "null"]
        if len(types) < len(node["type"]):
            node["nullable"] = True
        node["type"] = types[0] if len(types) == 1 else types
    if "const" in node:
        node["enum"] = [node.pop("const")]
    if "examples" in node and isinstance(node["examples"], list) and "type" in node:
        examples = node.pop("examples")
        if examples:
            node["example"] = examples[0]
    for bound, flag in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(node.get(bound), (int, float)) and not isinstance(node.get(bound), bool):
            node[flag] = node.pop(bound)
            node[bound] = True
    return node
