"""The routes beside the contract's operations: ``/``, the documents, the presigned downloads and
the console's files. They pass the whole request path but are no operation (no access check,
no request validation); ``/healthz`` answers before all of them (``health.py``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import yaml
from connexion import AsyncApp
from starlette.requests import Request
from starlette.responses import Response

from mock_server.bending.sessions import entered
from mock_server.control.console import Console
from mock_server.domain.clock import Clock
from mock_server.edge.docs_document import DocsDocuments
from mock_server.edge.download_links import DOWNLOAD_PREFIX, LinkRefused, LinkSigner
from mock_server.edge.home_page import home_page
from mock_server.edge.json_responses import json_body, json_text
from mock_server.handlers.month_end_packages import MonthEndPackagesApi
from mock_server.settings import Settings


class PlainRoutes:
    def __init__(
        self,
        settings: Settings,
        *,
        bundle: dict[str, Any],
        control: dict[str, Any],
        docs: DocsDocuments,
        links: LinkSigner,
        packages: MonthEndPackagesApi,
        clock: Clock,
        load_session: Callable[[str | None], Awaitable[None]],
    ) -> None:
        self._settings = settings
        self._bundle = bundle
        self._control = control
        self._docs = docs
        self._links = links
        self._packages = packages
        self._clock = clock
        # Brings the replica up to the store and reads a named session not in memory, off the
        # event loop (the replica's sync_async; its StoreUnavailable is the 503 answer).
        self._load_session = load_session
        self._console = Console()

    def add_to(self, app: AsyncApp) -> None:
        """Before the contract's API: it is mounted at "/" and would shadow them."""
        app.add_url_rule("/", "home", self.home, methods=["GET"])
        app.add_url_rule("/openapi.json", "published_json", self.published_json, methods=["GET"])
        app.add_url_rule("/openapi.yaml", "published_yaml", self.published_yaml, methods=["GET"])
        app.add_url_rule("/openapi.effective.json", "effective_json", self.effective_json, methods=["GET"])
        app.add_url_rule(
            f"{DOWNLOAD_PREFIX}/{{package_id}}/{{filename}}", "download_file", self.download_file, methods=["GET"]
        )
        if self._settings.control:
            app.add_url_rule("/__mock/openapi.json", "control_json", self.control_json, methods=["GET"])
            app.add_url_rule("/__mock/ui", "console", self.console_page, methods=["GET"])
            app.add_url_rule("/__mock/ui/{name}", "console_asset", self.console_asset, methods=["GET"])

    async def home(self, request: Request) -> Response:
        settings = self._settings
        return home_page(
            settings.public_base_url or str(request.base_url), control=settings.control, generation=settings.generation
        )

    async def published_json(self, _request: Request) -> Response:
        return json_body(self._bundle)

    async def published_yaml(self, _request: Request) -> Response:
        return Response(
            yaml.safe_dump(self._bundle, sort_keys=False, allow_unicode=True), media_type="application/yaml"
        )

    async def effective_json(self, request: Request) -> Response:
        return json_text(self._docs.json_text(str(request.base_url)))

    async def control_json(self, _request: Request) -> Response:
        return json_body(self._control)

    async def console_page(self, _request: Request) -> Response:
        return self._console.page()

    async def console_asset(self, request: Request) -> Response:
        return self._console.asset(request.path_params["name"])

    async def download_file(self, request: Request) -> Response:
        # A presigned URL carries no session header: the link names its session (signed).
        try:
            session = self._links.signed_session(request.url.path, dict(request.query_params))
        except LinkRefused as refused:
            return Response(refused.xml(), status_code=403, media_type="application/xml")
        await self._load_session(session)
        with entered(session):
            return await self._serve_file(request)

    async def _serve_file(self, request: Request) -> Response:
        now = self._clock.timestamp()
        try:
            self._links.verify(request.url.path, dict(request.query_params), now)
        except LinkRefused as refused:
            return Response(refused.xml(), status_code=403, media_type="application/xml")
        filename = request.path_params["filename"]
        content = await self._packages.signed_file(request.path_params["package_id"], filename, now)
        if content is not None:
            return Response(
                content,
                media_type="application/zip",
                headers={
                    "Content-Disposition": f'attachment; filename="{filename}"',
                    "Cache-Control": "private, max-age=0",
                },
            )
        missing = LinkRefused("NoSuchKey", "The specified key does not exist.")
        return Response(missing.xml(), status_code=404, media_type="application/xml")
