"""Success bodies in the served generation of the docs: bare models, or wrapped in the envelope.

Handlers return a ``Reply`` (the model's JSON text and the status); ``ReplyWriter`` turns it
into the response. In the envelope generation each success body becomes ``{"success": true,
"message": ..., "code": ..., "data": <model>}`` and a body-less success (204) becomes 200 with
the envelope minus ``data``. Errors never pass through here: they stay bare in both
generations. The ``code`` and ``message`` values are ours (the docs show none).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from dayzero_mock_kit.openapi import GENERATIONS
from dayzero_mock_kit.openapi.operations import Operation

# Ours: one code per kind of success.
CODES = {200: "OK", 201: "CREATED", 204: "DELETED"}
# Ours: one message per operation.
MESSAGES: dict[str, str] = {
    Operation.CREATE_PACKAGE: "Month-end package queued",
    Operation.LIST_PACKAGES: "Month-end packages listed",
    Operation.GET_PACKAGE: "Month-end package found",
    Operation.GET_DOWNLOAD_URL: "Download URL created",
    Operation.LIST_PERIODS: "Accounting periods listed",
    Operation.CREATE_PERIOD: "Accounting period created",
    Operation.GET_PERIOD: "Accounting period found",
    Operation.CLOSE_PERIOD: "Accounting period closed",
    Operation.REOPEN_PERIOD: "Accounting period reopened",
    Operation.BULK_LOCK_PERIODS: "Accounting periods closed and locked",
    Operation.CHECK_CLOSE_READINESS: "Close readiness checked",
    Operation.GET_CLOSE_SCORE: "Close score computed",
    Operation.GET_SCORE_HISTORY: "Close score history",
    Operation.LIST_CHECKLIST_ACKS: "Checklist acknowledgements listed",
    Operation.ACKNOWLEDGE_CHECKLIST_STEP: "Checklist step acknowledged",
    Operation.CREATE_SIGN_OFF: "Sign-off recorded",
    Operation.DELETE_SIGN_OFF: "Sign-off revoked",
}


@dataclass(frozen=True)
class Reply:
    """A success: the model as JSON text (None: no body) and the bare generation's status."""

    text: str | None
    status: int = 200


def json_reply(body: Any, status: int = 200) -> Reply:
    return Reply(json.dumps(body, separators=(",", ":")), status)


class ReplyWriter:
    """Writes handlers' replies in one generation."""

    def __init__(self, generation: str) -> None:
        if generation not in GENERATIONS:
            raise ValueError(f"generation must be 'bare' or 'envelope', not {generation!r}.")
        self.generation = generation

    def response(self, operation_id: str, reply: Reply) -> Response:
        if self.generation == "bare":
            if reply.text is None:
                return Response(status_code=reply.status)
            return Response(reply.text, status_code=reply.status, media_type="application/json")
        message = MESSAGES[operation_id]
        envelope = {"success": True, "message": message, "code": CODES[reply.status]}
        head = json.dumps(envelope, separators=(",", ":"))[:-1]
        if reply.text is None:
            return Response(head + "}", status_code=200, media_type="application/json")
        return Response(f'{head},"data":{reply.text}}}', status_code=reply.status, media_type="application/json")

    def wrap(self, operation_id: str, handler: Callable[..., Awaitable[Reply]]) -> Callable[..., Awaitable[Response]]:
        """The handler answering a Response; its signature stays the handler's (connexion reads it)."""

        @functools.wraps(handler)
        async def respond(*args: Any, **kwargs: Any) -> Response:
            return self.response(operation_id, await handler(*args, **kwargs))

        return respond
