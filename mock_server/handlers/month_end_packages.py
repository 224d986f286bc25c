"""Handlers of the month-end-packages operations (tag ``month-end-packages``)."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from connexion.context import scope as request_scope
from pydantic import BaseModel

from dayzero_mock_kit.openapi.operations import Operation
from mock_server.bending.steering import prefer
from mock_server.domain.clock import Clock
from mock_server.domain.identities import Fixtures
from mock_server.domain.lifecycle import READY, Timeline
from mock_server.domain.packages import ArtifactInfo, Package
from mock_server.domain.state import Ledger
from mock_server.domain.timestamps import iso_instant
from mock_server.edge.access import Principal
from mock_server.edge.download_links import LinkSigner
from mock_server.edge.errors import ApiError, RequestValidationError, not_found, value_error
from mock_server.edge.generations import Reply, json_reply
from mock_server.edge.scopes import header
from mock_server.listing.cursors import CursorCodec
from mock_server.listing.lists import Key, list_page, sorted_entries
from mock_server.reports.archive import ArchiveSpec
from mock_server.reports.builds import ArchiveBuilds, ZipPending
from mock_server.settings import Settings

FAILURE_MESSAGES = (
    "Report generation failed: the general ledger has unposted journal entries for this period.",
    "Workflow timed out waiting for the accounting data export (attempt 3 of 3).",
    "Bank reconciliation could not be built: statement balance missing for one account.",
)


def preferred_outcome(prefer_header: str | None) -> str | None:
    """``Prefer: outcome=failed`` (or ``ready``) -> that outcome; None when absent or another value."""
    outcome = prefer(prefer_header).get("outcome")
    return outcome if outcome in ("ready", "failed") else None


class MonthEndPackagesApi:
    """The mock's behaviour behind the four month-end-packages operations."""

    def __init__(
        self,
        *,
        settings: Settings,
        fixtures: Fixtures,
        ledger: Callable[[], Ledger],
        clock: Clock,
        archives: ArchiveBuilds,
        codec: CursorCodec,
        links: LinkSigner,
        sort_columns: dict[str, list[str]],
        report_keys: list[str],
    ) -> None:
        self._settings = settings
        self._fixtures = fixtures
        self._ledger = ledger
        self._clock = clock
        self._archives = archives
        self._codec = codec
        self._links = links
        self._sort_columns = sort_columns
        self._report_keys = frozenset(report_keys)

    def handlers(self) -> dict[str, Callable[..., Any]]:
        """operationId -> handler."""
        return {
            Operation.CREATE_PACKAGE: self.create_package,
            Operation.LIST_PACKAGES: self.list_packages,
            Operation.GET_PACKAGE: self.get_package,
            Operation.GET_DOWNLOAD_URL: self.get_download_url,
        }

    # -- artifacts -------------------------------------------------------------------------

    def archive_spec(self, package: Package) -> ArchiveSpec:
        business = self._fixtures.businesses[package.business_id]
        reports = tuple(key for key in package.selected_reports if key in self._report_keys)
        return ArchiveSpec(
            seed=self._settings.seed,
            business_id=business.id,
            business_name=business.name,
            period_start=package.period_start,
            period_end=package.period_end,
            report_format=package.report_format,
            reports=reports,
            generated_at=_to_the_minute(package.timeline.finished_at),
        )

    def artifact(self, package: Package) -> ArtifactInfo:
        spec = self.archive_spec(package)
        return ArtifactInfo(filename=spec.filename, size=self._archives.size(spec))  # or ZipPending

    async def signed_file(self, package_id: str, filename: str, now: float) -> bytes | None:
        """The zip a verified presigned link names, or None when no ready package has that file."""
        package = self._ledger().packages.find(package_id)
        if package is None or package.stage(now).status != READY:
            return None
        spec = self.archive_spec(package)
        return await self._archives.content(spec) if spec.filename == filename else None

    async def _rendered(self, render: Callable[[Callable[[Package], str]], str], now: float) -> str:
        """``render(package_json)``: the text made with each package's JSON at ``now``, after
        awaiting the zips it needs that are still building (all of them together: a page of
        ready packages whose zips are not built yet, as after a restart, waits for the slowest
        build, not for each in turn)."""
        pending: set[ArchiveSpec] = set()

        def package_json(package: Package) -> str:
            try:
                return package.json_at(now, self.artifact)
            except ZipPending as building:  # this rendering is thrown away: made again below
                pending.add(building.spec)
                return "null"

        while True:
            text = render(package_json)
            if not pending:
                return text
            await asyncio.gather(*(self._archives.content(spec) for spec in pending))
            pending.clear()

    # -- operations ------------------------------------------------------------------------

    async def create_package(self, principal: Principal, payload: BaseModel) -> Reply:
        data = payload.model_dump(by_alias=True)
        ledger = self._ledger()
        # Enum members (plain strings when request models allow any key: the accept-unknown-reports fault).
        reports = tuple(getattr(key, "value", key) for key in data["selected_reports"])
        errors = []
        if len(set(reports)) < len(reports):
            duplicates = sorted({key for key in reports if reports.count(key) > 1})
            errors.append(
                value_error(
                    ["body", "selected_reports"],
                    f"report keys listed more than once: {', '.join(duplicates)}",
                    list(reports),
                )
            )
        period_id = data["accounting_period_id"]
        start: date | None = data["period_start"]
        end: date | None = data["period_end"]
        if period_id is None:
            for name, value in (("period_start", start), ("period_end", end)):
                if value is None:
                    errors.append(
                        value_error(
                            ["body", name], f"{name} is required when accounting_period_id is not provided", None
                        )
                    )
            if start is not None and end is not None and start > end:
                errors.append(
                    value_error(
                        ["body"],
                        "period_start must be on or before period_end",
                        {"period_start": start.isoformat(), "period_end": end.isoformat()},
                    )
                )
        if errors:
            raise RequestValidationError(errors)
        if period_id is not None:
            period = ledger.periods.get(principal.business.id, period_id)
            if period is None:
                raise not_found()
            # The period gives the package its dates (documented); explicit dates are ignored.
            start, end = period.period_start, period.period_end
        assert start is not None and end is not None

        now = self._clock.timestamp()
        package_id = ledger.new_id()
        # The request's own header, read from its scope (a ConnexionRequest per call costs more).
        raw_prefer = header(request_scope, b"prefer")
        outcome = preferred_outcome(raw_prefer.decode("latin-1") if raw_prefer is not None else None)
        error_message = self._failure_message(package_id, principal.business.id, start, reports, outcome)
        package = Package(
            id=package_id,
            business_id=principal.business.id,
            accounting_period_id=period_id,
            period_start=start,
            period_end=end,
            report_format=data["report_format"].value,
            selected_reports=reports,
            workflow_id=f"month-end-package-{package_id}",
            requested_by_user_id=principal.user.id,
            timeline=Timeline(
                created_at=now,
                queue_seconds=self._settings.queue_seconds,
                build_seconds=self._settings.build_seconds,
                fails=error_message is not None,
            ),
            error_message=error_message,
        )
        ledger.packages.add(package)
        if error_message is None:
            self._archives.start(self.archive_spec(package))  # built in the pool while it is queued
        rendered = await self._rendered(lambda package_json: package_json(package), now)
        return Reply('{"package":' + rendered + ',"workflow_id":' + json.dumps(package.workflow_id) + "}", 201)

    def _failure_message(
        self, package_id: str, business_id: str, start: date, reports: tuple[str, ...], outcome: str | None
    ) -> str | None:
        if outcome == "ready":
            return None
        if outcome == "failed":
            digest = int(hashlib.sha256(package_id.encode()).hexdigest(), 16)
            return FAILURE_MESSAGES[digest % len(FAILURE_MESSAGES)]
        for rule in self._fixtures.failures:
            if rule.matches(business_id, start.isoformat(), reports):
                return rule.error_message
        return None

    async def get_package(self, principal: Principal, package_id: str) -> Reply:
        package = self._ledger().packages.get(principal.business.id, package_id)
        if package is None:
            raise not_found()
        now = self._clock.timestamp()
        return Reply(await self._rendered(lambda package_json: package_json(package), now))

    async def list_packages(self, principal: Principal, query: dict[str, Any]) -> Reply:
        now = self._clock.timestamp()
        store = self._ledger().packages
        business_id = principal.business.id

        def entries(sort_by: str, status: str | None) -> tuple[Sequence[Key], Sequence[Package]]:
            keys, packages = store.by_created(business_id)
            if sort_by == "created_at" and status is None:
                return keys, packages  # the store keeps this order: no per-request sort
            selected = (p for p in packages if status is None or p.stage(now).status == status)
            return sorted_entries(selected, lambda p: (p.sort_value(sort_by, now), p.id))

        text = await self._rendered(
            lambda package_json: list_page(
                query=query,
                business_id=business_id,
                sort_columns=self._sort_columns[Operation.LIST_PACKAGES],
                entries=entries,
                render_json=package_json,
                codec=self._codec,
            ),
            now,
        )
        return Reply(text)

    async def get_download_url(self, principal: Principal, package_id: str) -> Reply:
        package = self._ledger().packages.get(principal.business.id, package_id)
        if package is None:
            raise not_found()
        now = self._clock.timestamp()
        stage = package.stage(now)
        if stage.status != READY:
            reason = {
                "queued": "Package is not ready for download yet (status: queued); poll until it is ready.",
                "in_progress": "Package is not ready for download yet (status: in_progress); poll until it is ready.",
                "failed": f"Package build failed and has no file to download: {package.error_message}",
            }[stage.status]
            raise ApiError(400, reason)
        spec = self.archive_spec(package)
        artifact = ArtifactInfo(filename=spec.filename, size=len(await self._archives.content(spec)))
        link = self._links.sign(package.id, artifact.filename, now)
        return json_reply(
            {
                "package_id": package.id,
                "filename": artifact.filename,
                "download_url": link.url,
                "expires_at": iso_instant(link.expires_at),
                "file_size_bytes": artifact.size,
            }
        )


def _to_the_minute(instant: float) -> datetime:
    """When a package turned ready, to the minute: its reports' "Generated" line (printed to
    the minute). A package shown as built early (the ``download-before-ready`` fault) usually
    falls in the same minute and so reuses the build already under way."""
    return _minute_start(int(instant // 60))


@functools.lru_cache(maxsize=64)
def _minute_start(minute: int) -> datetime:
    """The start of the ``minute``-th minute since the epoch, UTC (a create's in one of a few)."""
    return datetime.fromtimestamp(minute * 60, UTC)
