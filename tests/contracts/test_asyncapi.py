"""AsyncAPI documents: the right channels per service, and every $ref resolves."""

from __future__ import annotations

import json
from typing import Any

import pytest

from libs.contracts.asyncapi import asyncapi_document
from libs.contracts.incidents import IncidentRecorded

SERVICES = ("complaints", "fora", "incidents", "analytics")

#: service -> {channel address: operation action}
EXPECTED = {
    "complaints": {"jisr.complaints.status.v1": "send"},
    "fora": {
        "jisr.fora.activity.v1": "send",
        "jisr.incidents.baselines.v1": "receive",
        "jisr.dlq.fora": "send",
    },
    "incidents": {"jisr.incidents.recorded.v1": "send", "jisr.incidents.baselines.v1": "send"},
    "analytics": {
        "jisr.complaints.status.v1": "receive",
        "jisr.fora.activity.v1": "receive",
        "jisr.incidents.recorded.v1": "receive",
        "jisr.incidents.baselines.v1": "receive",
        "jisr.dlq.analytics": "send",
    },
}


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _follow(doc: dict[str, Any], ref: str) -> Any:
    node: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


@pytest.mark.parametrize("service", SERVICES)
def test_document_per_service(service):
    doc = asyncapi_document(service)
    json.dumps(doc)  # serialisable as served
    assert doc["asyncapi"] == "3.0.0"
    assert doc["info"]["title"] == f"jisr {service}"
    assert doc["info"]["version"]
    channels = {channel["address"] for channel in doc["channels"].values()}
    assert channels == set(EXPECTED[service])
    actions = {
        _follow(doc, op["channel"]["$ref"])["address"]: op["action"]
        for op in doc["operations"].values()
    }
    assert actions == EXPECTED[service]
    for ref in _refs(doc):
        assert _follow(doc, ref) is not None, ref


def test_incidents_sends_and_analytics_receives_incident_recorded():
    sent = asyncapi_document("incidents")["channels"]["jisr.incidents.recorded.v1"]
    received = asyncapi_document("analytics")["channels"]["jisr.incidents.recorded.v1"]
    assert "incident.recorded.v1" in sent["messages"]
    assert "incident.recorded.v1" in received["messages"]


def test_message_carries_event_schema_and_cloudevents_headers():
    doc = asyncapi_document("incidents")
    message = doc["components"]["messages"]["incident.recorded.v1"]
    assert message["name"] == "jisr.incident.recorded.v1"
    payload = _follow(doc, message["payload"]["$ref"])
    assert set(payload["properties"]) == set(IncidentRecorded.model_fields)
    offence = _follow(doc, payload["properties"]["offences"]["items"]["$ref"])
    assert "iccs_code" in offence["properties"]
    headers = _follow(doc, message["headers"]["$ref"])
    for header in ("ce_id", "ce_type", "ce_source", "ce_time", "ce_subject", "ce_dataschema"):
        assert header in headers["properties"]
    assert "traceparent" in headers["properties"]


def test_unknown_service():
    with pytest.raises(ValueError, match="no topic is produced or consumed by 'weather'"):
        asyncapi_document("weather")
