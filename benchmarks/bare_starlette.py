"""The ceiling: a bare Starlette endpoint on uvicorn answering the same routes with fixed JSON.

No validation, no state, no middleware: what one uvicorn worker on this machine can do at
all. ``benchmarks/compare.py`` runs it beside the mock and Prism and prints each ratio to it.
Run: ``uvicorn benchmarks.bare_starlette:app --port 4099``.
"""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PACKAGE = {
    "id": "00000000-0000-4000-8000-000000000000",
    "business_id": "11111111-1111-4111-8111-111111111111",
    "status": "queued",
    "report_format": "pdf",
    "selected_reports": ["pl", "balance_sheet"],
}
PAGE = json.dumps({"items": [PACKAGE] * 20, "limit": 20, "has_next": True, "has_prev": False}).encode()
CREATED = json.dumps({"package": PACKAGE, "workflow_id": "month-end-package-0"}).encode()


async def packages(request: Request) -> Response:
    if request.method == "POST":
        await request.body()
        return Response(CREATED, status_code=201, media_type="application/json")
    return Response(PAGE, media_type="application/json")


app = Starlette(routes=[Route("/api/v1/month-end-packages", packages, methods=["GET", "POST"])])
