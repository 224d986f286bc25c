"""JSON responses of the mock's own routes (documents, control API)."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response


def json_text(text: str, status: int = 200) -> Response:
    return Response(text, status_code=status, media_type="application/json")


def json_body(body: Any, status: int = 200) -> Response:
    return json_text(json.dumps(body, separators=(",", ":")), status)
