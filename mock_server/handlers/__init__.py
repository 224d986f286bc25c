"""The contract's handlers, one module per tag, resolved by operationId."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from mock_server.bending.faults import FaultLayer
from mock_server.edge.generations import ReplyWriter


class TagApi(Protocol):
    def handlers(self) -> dict[str, Callable[..., Any]]: ...


def contract_handlers(
    apis: Iterable[TagApi], replies: ReplyWriter, faults: FaultLayer
) -> dict[str, Callable[..., Any]]:
    """operationId -> handler answering in the served generation, with the faults switched on, over
    every tag's handlers."""
    table: dict[str, Callable[..., Any]] = {}
    for api in apis:
        for operation_id, handler in api.handlers().items():
            table[operation_id] = replies.wrap(operation_id, faults.wrap(operation_id, handler))
    return table
