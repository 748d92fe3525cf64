"""The one error body: every 4xx of every service has the same shape, declared in OpenAPI."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from libs.chassis import http_errors
from libs.chassis.errors import RuleViolation, location


class Filing(BaseModel):
    name: str = Field(max_length=5)
    count: int


def _app() -> FastAPI:
    app = FastAPI()
    http_errors.install(app)

    @app.post("/filings")
    def file(body: Filing) -> Filing:
        if body.count > 3:
            raise RuleViolation(("count",), "at most 3 per filing")
        return body

    @app.get("/cases/{case}")
    def case(case: str) -> dict[str, str]:
        if case == "gone":
            raise RuleViolation.not_found("no such case")
        if case == "closed":
            raise RuleViolation.conflict(
                "allowed from closed: reopened",
                code="illegal_transition",
                ctx={"allowed": ["reopened"]},
            )
        raise HTTPException(429, "slow down", headers={"Retry-After": "7"})

    return app


@pytest.fixture
def client():
    with TestClient(_app()) as test_client:
        yield test_client


def test_a_rule_names_the_field_and_the_rule(client):
    response = client.post("/filings", json={"name": "ok", "count": 4})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body", "count"], "msg": "at most 3 per filing", "type": "rule"}]
    }


def test_a_malformed_request_never_echoes_what_was_sent(client):
    response = client.post("/filings", json={"name": "Fatima Haddad", "count": "x"})
    assert response.status_code == 422
    items = response.json()["detail"]
    assert {tuple(i["loc"]) for i in items} == {("body", "name"), ("body", "count")}
    assert all(set(i) <= {"loc", "msg", "type", "ctx"} for i in items)
    assert "Fatima" not in response.text


def test_whole_request_refusals_have_the_same_shape(client):
    gone = client.get("/cases/gone")
    assert gone.status_code == 404
    assert gone.json() == {"detail": [{"loc": [], "msg": "no such case", "type": "not_found"}]}
    closed = client.get("/cases/closed")
    assert closed.status_code == 409
    [item] = closed.json()["detail"]
    assert item["type"] == "illegal_transition" and item["ctx"] == {"allowed": ["reopened"]}
    limited = client.get("/cases/other")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert limited.json()["detail"] == [
        {"loc": [], "msg": "slow down", "type": "too_many_requests"}
    ]
    unknown = client.get("/nowhere")
    assert unknown.status_code == 404 and unknown.json()["detail"][0]["type"] == "not_found"


def test_openapi_declares_the_error_body_on_every_operation(client):
    schema = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    for path in schema["paths"].values():
        for operation in path.values():
            assert operation["responses"]["4XX"]["content"]["application/json"]["schema"] == ref
    filing = schema["paths"]["/filings"]["post"]["responses"]["422"]
    assert filing["content"]["application/json"]["schema"] == ref


def test_locations():
    assert location("offences.0.iccs_code") == ("body", "offences", 0, "iccs_code")
    assert location(("query", "from")) == ("query", "from")
    assert location(None) == ()
    assert str(RuleViolation("station_id", "unknown")) == "body.station_id: unknown"


def test_a_page_declares_that_it_may_answer_its_refusals_as_a_page():
    from fastapi.responses import HTMLResponse

    app = _app()

    @app.get("/page", response_class=HTMLResponse)
    def page() -> str:
        return "<p>ok</p>"

    with TestClient(app) as client:
        schema = client.get("/openapi.json").json()
    refused = schema["paths"]["/page"]["get"]["responses"]["4XX"]["content"]
    assert set(refused) == {"application/json", "text/html"}
    json_only = schema["paths"]["/filings"]["post"]["responses"]["4XX"]["content"]
    assert set(json_only) == {"application/json"}
