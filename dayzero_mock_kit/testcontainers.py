"""The mock's container image from a test suite, with testcontainers-python
(``pip install 'dayzero-mock-kit[testcontainers]'``)::

    from dayzero_mock_kit.testcontainers import DayZeroMock

    with DayZeroMock(image="dayzero-mock-kit:latest", generation="bare", clock="frozen") as mock:
        acme = mock.identities["dz_demo_acme"]
        httpx.get(f"{mock.base_url}/api/v1/accounting-periods", headers=acme.headers())
        mock.control.advance(10)   # the clock; also freeze(), resume(), reset(), set_faults([...])

``start()`` waits until ``GET /healthz`` answers 200; ``stop()`` (or leaving the ``with``)
removes the container. The identities are the demo fixture's, which the image serves unless it
is given ``DAYZERO_MOCK_FIXTURES``. Ours; this module needs nothing of ``mock_server``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import yaml
from testcontainers.core.container import DockerContainer

from dayzero_mock_kit.fixtures import DEFAULT_FIXTURES

DEFAULT_IMAGE = "dayzero-mock-kit:latest"
PORT = 4010  # the image's port inside the container
# `store` shorthands; anything else is passed as the URL (postgresql://user@host/db).
STORE_URLS = {"memory": "memory", "sqlite": "sqlite:////data/mock.db"}

__all__ = ["DEFAULT_IMAGE", "ControlClient", "DayZeroMock", "Identity", "MockDidNotStart", "demo_identities"]


class MockDidNotStart(RuntimeError):
    """The container exited, or did not answer ``/healthz`` in time (the message has its log)."""


@dataclass(frozen=True)
class Identity:
    """A demo token and the first business with the CFO Suite add-on it may use."""

    token: str
    business_id: str
    email: str
    business_ids: tuple[str, ...] = field(default=())

    def headers(self, business_id: str | None = None) -> dict[str, str]:
        """The contract's two headers for this identity (``business_id`` picks another of its businesses)."""
        return {"Authorization": f"Bearer {self.token}", "x-business-id": business_id or self.business_id}


def demo_identities(fixture: Mapping[str, Any] | None = None) -> dict[str, Identity]:
    """The usable (unexpired) tokens of the demo fixture, by token."""
    data = fixture if fixture is not None else yaml.safe_load(DEFAULT_FIXTURES.read_text())
    with_add_on = [business["id"] for business in data["businesses"] if business.get("cfo_suite")]
    users = {user["id"]: user for user in data["users"]}
    identities = {}
    for token in data["tokens"]:
        if token.get("expires_at"):
            continue  # the expired demo token answers 401 by design
        user = users[token["user"]]
        usable = [business for business in user["businesses"] if business in with_add_on]
        if usable:
            identities[token["token"]] = Identity(token["token"], usable[0], user["email"], tuple(user["businesses"]))
    return identities


class ControlClient:
    """The mock's control API (``/__mock``, ours): reset, clock, faults; ``session`` acts on one
    ``x-mock-session``."""

    def __init__(self, base_url: str, token: str | None = None, session: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if session:
            headers["x-mock-session"] = session
        self._http = httpx.Client(base_url=f"{base_url}/__mock", headers=headers, timeout=10)

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        response = self._http.request(method, path, json=body)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self) -> None:
        """Back to the fixtures (the session's state, or the shared one)."""
        self._call("POST", "/reset")

    def advance(self, seconds: float) -> None:
        """Move the mock's clock forward (packages move through their lifecycle)."""
        self._call("POST", "/clock/advance", {"seconds": seconds})

    def freeze(self) -> None:
        self._call("POST", "/clock/freeze")

    def resume(self) -> None:
        self._call("POST", "/clock/resume")

    def faults(self) -> list[str]:
        """The faults that are on."""
        return list(self._call("GET", "/faults")["active"])

    def set_faults(self, names: Sequence[str]) -> None:
        """Exactly these faults on (``[]``: none); an unknown name raises and changes nothing."""
        self._call("PUT", "/faults", {"active": list(names)})

    def state(self) -> dict[str, Any]:
        return dict(self._call("GET", "/state"))

    def close(self) -> None:
        self._http.close()


class DayZeroMock(DockerContainer):
    """The mock's image in a container; ``base_url``, ``identities`` and ``control`` once started."""

    def __init__(
        self,
        image: str = DEFAULT_IMAGE,
        *,
        generation: str = "bare",
        store: str = "memory",
        clock: str = "real",
        queue_seconds: float | None = None,
        build_seconds: float | None = None,
        control_token: str | None = None,
        env: Mapping[str, str] | None = None,
        startup_timeout: float = 60.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(image, **kwargs)
        self.with_exposed_ports(PORT)
        settings = {
            "GENERATION": generation,
            "STORE": STORE_URLS.get(store, store),
            "CLOCK": clock,
            "QUEUE_SECONDS": queue_seconds,
            "BUILD_SECONDS": build_seconds,
            "CONTROL_TOKEN": control_token,
        }
        for name, value in settings.items():
            if value is not None:
                self.with_env(f"DAYZERO_MOCK_{name}", str(value))
        for name, value in (env or {}).items():
            self.with_env(name, value)
        self._control_token = control_token
        self._startup_timeout = startup_timeout
        self.base_url = ""
        self.identities = demo_identities()
        self.control: ControlClient | None = None

    def start(self) -> DayZeroMock:
        super().start()
        self.base_url = f"http://{self.get_container_host_ip()}:{self.get_exposed_port(PORT)}"
        self._wait_until_healthy()
        self.control = ControlClient(self.base_url, self._control_token)
        return self

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + self._startup_timeout
        while True:
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            container = self.get_wrapped_container()
            container.reload()
            if container.status not in ("created", "running") or time.monotonic() > deadline:
                logs = container.logs().decode(errors="replace")
                raise MockDidNotStart(
                    f"The mock in {self.image} did not answer {self.base_url}/healthz "
                    f"(container {container.status}). Its log:\n{logs}"
                )
            time.sleep(0.1)

    def stop(self, force: bool = True, delete_volume: bool = True) -> None:
        if self.control is not None:
            self.control.close()
            self.control = None
        super().stop(force=force, delete_volume=delete_volume)
