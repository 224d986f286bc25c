"""``create_app(settings)``: the connexion application of the mock, composed from its parts:
the runtime (``runtime.py``), the request path (``edge/pipeline.py``), the plain routes
(``edge/plain_routes.py``) and the two APIs (the contract's and, with control, ``/__mock``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connexion import AsyncApp
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver

from mock_server.bending.steering import declared_statuses
from mock_server.edge.direct_app import DirectAsyncApp
from mock_server.edge.docs_document import DocsDocuments
from mock_server.edge.errors import install_error_handlers
from mock_server.edge.fast_path import contract_routes
from mock_server.edge.pipeline import request_path
from mock_server.edge.plain_routes import PlainRoutes
from mock_server.edge.request_validation import bodyless_operations, compile_request_models, make_validator_map
from mock_server.edge.spec30 import downgrade
from mock_server.runtime import build_runtime
from mock_server.settings import Settings


def _swagger_ui_dir() -> str:
    """Swagger UI 5 (renders OpenAPI 3.1), from the swagger-ui-bundle-v2 distribution."""
    import swagger_ui_bundle

    vendor = Path(swagger_ui_bundle.__file__).with_name("vendor")
    candidates = sorted(vendor.glob("swagger-ui-5*"))
    if not candidates:
        raise RuntimeError("Swagger UI 5 is missing: install swagger-ui-bundle-v2.")
    return str(candidates[-1])


def create_app(settings: Settings | None = None) -> AsyncApp:
    """The mock server as an ASGI app (run it with uvicorn, or call it through httpx)."""
    settings = settings or Settings()
    runtime = build_runtime(settings)
    contract = runtime.contract
    validated = _with_control(contract.effective, contract.control)
    request_models = runtime.faults.request_models(validated, compile_request_models)
    routed = downgrade(contract.bundle)
    app = DirectAsyncApp(
        __name__,
        middlewares=request_path(
            settings,
            store=runtime.store,
            replica=runtime.replica,
            journal=runtime.journal,
            steering=runtime.steering,
            declared=declared_statuses(contract.bundle),
            fixtures=runtime.fixtures,
            clock=runtime.clock,
            faults=runtime.faults,
            protected_operations=contract.operations(),
            bodyless=bodyless_operations(validated),
            operation_id=runtime.operations.operation_id,
            routes=contract_routes(routed, runtime.handlers, contract.operations()),
            request_models=request_models,
        ),
        validator_map=make_validator_map(
            request_models,
            validated,
            max_body_bytes=settings.max_body_bytes,
            validate_responses=settings.validate_responses,
        ),
        validate_responses=settings.validate_responses,
    )
    docs = DocsDocuments(
        contract.effective,
        runtime.fixtures,
        runtime.clock.timestamp(),
        settings.public_base_url,
        ledger=runtime.sessions.current_ledger,
    )
    PlainRoutes(
        settings,
        bundle=contract.bundle,
        control=contract.control,
        docs=docs,
        links=runtime.links,
        packages=runtime.packages_api,
        clock=runtime.clock,
        load_session=runtime.replica.sync_async,
    ).add_to(app)
    if settings.control:
        app.add_api(
            downgrade(contract.control),
            base_path="/__mock",
            resolver=Resolver(runtime.control_handlers.__getitem__),
            swagger_ui_options=SwaggerUIOptions(serve_spec=False, swagger_ui=False),
            name="control",
        )
    app.add_api(
        routed,
        base_path="",
        resolver=Resolver(runtime.handlers.__getitem__),
        swagger_ui_options=SwaggerUIOptions(
            serve_spec=False,
            swagger_ui_path="/docs",
            spec_path="/openapi.effective.json",
            swagger_ui_template_dir=_swagger_ui_dir(),
            swagger_ui_config={
                "persistAuthorization": True,
                # Only documents whose servers are this mock: the published bundle's server is
                # DayZero's production API, and "Try it out" would send the token there.
                "urls": [
                    {"url": "/openapi.effective.json", "name": "DayZero contract, on this mock"},
                    *([{"url": "/__mock/openapi.json", "name": "Mock control API (ours)"}] if settings.control else []),
                ],
            },
        ),
        name="contract",
    )
    install_error_handlers(app, runtime.operations.methods)
    app.runtime = runtime  # type: ignore[attr-defined]  # for in-process tests
    return app


def _with_control(effective: dict[str, Any], control: dict[str, Any]) -> dict[str, Any]:
    """One document with the control API's paths and schemas beside the contract's
    (validators find operations by operationId, so the mount point does not matter)."""
    paths = {**effective["paths"], **{f"/__mock{path}": item for path, item in control["paths"].items()}}
    schemas = {**effective["components"]["schemas"], **control["components"]["schemas"]}
    return {**effective, "paths": paths, "components": {**effective["components"], "schemas": schemas}}
