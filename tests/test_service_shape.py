"""Every service has the same outward shape: declared responses and one error body.

The HTTP contract of a route is its declared response model, not whatever a table row holds:
an operation whose JSON success response has no schema returns something undeclared.
"""

from __future__ import annotations

import pytest

from jisr.services import definition
from libs.chassis.service import create_app
from libs.chassis.settings import SERVICES, Settings

ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}


def _operations(service: str):
    app = create_app(definition(service), Settings())
    for path, methods in app.openapi()["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def _a_model(schema: dict) -> bool:
    """A named response model, or a list of one (not `{}` nor a free-form `dict`)."""
    if "$ref" in schema:
        return True
    return schema.get("type") == "array" and "$ref" in schema.get("items", {})


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_declares_its_response(service):
    undeclared = []
    for name, operation in _operations(service):
        for status, response in operation["responses"].items():
            if not status.startswith("2"):
                continue
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            if schema is not None and not _a_model(schema):
                undeclared.append(name)
    assert undeclared == [], f"{service}: routes with no declared response model"


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_declares_the_one_error_body(service):
    for name, operation in _operations(service):
        responses = operation["responses"]
        assert responses["4XX"]["content"]["application/json"]["schema"] == ERROR_BODY, name
        for status, response in responses.items():
            if status.startswith("4") and "content" in response:
                assert response["content"]["application/json"]["schema"] == ERROR_BODY, name
