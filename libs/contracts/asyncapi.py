"""AsyncAPI 3.0 description of what one service publishes and consumes.

Generated from the topic registry and the event models, so the published description cannot
drift from what the service really sends. Event schemas go under components/schemas with their
nested models next to them, so every `$ref` resolves inside the one document.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from .base import EventModel
from .catalogue import ALL_EVENTS
from .envelope import CONTENT_TYPE, SPEC_VERSION
from .topics import TOPICS, Topic, dead_letter_topic

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
HEADERS_SCHEMA = "CloudEventsHeaders"
SCHEMAS_REF = "#/components/schemas/"

CLOUDEVENTS_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0 attributes in Kafka binary content mode, plus W3C trace.",
    "required": ["ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time"],
    "properties": {
        "ce_specversion": {"type": "string", "const": SPEC_VERSION},
        "ce_id": {"type": "string", "format": "uuid", "description": "UUIDv7"},
        "ce_type": {"type": "string", "pattern": r"^jisr\.[a-z_.]+\.v\d+$"},
        "ce_source": {"type": "string", "description": "Producing service instance"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_subject": {"type": "string", "description": "Id of the record the event is about"},
        "ce_dataschema": {"type": "string", "pattern": r"^urn:jisr:schema:[a-z_.]+\.v\d+$"},
        "content-type": {"type": "string", "const": CONTENT_TYPE},
        "traceparent": {
            "type": "string",
            "pattern": r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
        },
    },
}


def asyncapi_document(service: str) -> dict[str, Any]:
    """The AsyncAPI document of `service`, e.g. "incidents"; ValueError for an unknown one."""
    produced = [topic for topic in TOPICS if topic.producer == service]
    consumed = [topic for topic in TOPICS if service in topic.consumers]
    if not produced and not consumed:
        raise ValueError(f"no topic is produced or consumed by {service!r}")
    doc: dict[str, Any] = {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": f"jisr {service}",
            "version": _version(),
            "description": f"Kafka events the jisr {service} service sends and receives.",
        },
        "defaultContentType": CONTENT_TYPE,
        "channels": {},
        "operations": {},
        "components": {"messages": {}, "schemas": {HEADERS_SCHEMA: CLOUDEVENTS_HEADERS}},
    }
    for topic in produced:
        _add_channel(doc, topic.name, topic.description, _events_of(topic), "send", topic)
    for topic in consumed:
        _add_channel(doc, topic.name, topic.description, _events_of(topic), "receive", topic)
    if consumed:
        _add_dead_letters(doc, service, consumed)
    return doc


def _add_dead_letters(doc: dict[str, Any], service: str, consumed: list[Topic]) -> None:
    """The service's dead-letter topic carries the records it could not process, unchanged."""
    events = [event for topic in consumed for event in _events_of(topic)]
    description = (
        f"Records the {service} consumer gave up on, as received; the error travels in extra"
        " headers."
    )
    _add_channel(doc, dead_letter_topic(service), description, events, "send", None)


def _add_channel(
    doc: dict[str, Any],
    address: str,
    description: str,
    events: list[type[EventModel]],
    action: str,
    topic: Topic | None,
) -> None:
    channel: dict[str, Any] = {"address": address, "description": description, "messages": {}}
    if topic is not None:
        channel["bindings"] = {"kafka": _topic_binding(topic)}
    for event in events:
        message_id = event.schema_name()
        _add_message(doc["components"], event, topic)
        channel["messages"][message_id] = {"$ref": f"#/components/messages/{message_id}"}
    doc["channels"][address] = channel
    doc["operations"][f"{action}.{address}"] = {
        "action": action,
        "channel": {"$ref": f"#/channels/{address}"},
        "messages": [{"$ref": f"#/channels/{address}/messages/{m}"} for m in channel["messages"]],
    }


def _add_message(components: dict[str, Any], event: type[EventModel], topic: Topic | None) -> None:
    name = event.schema_name()
    _add_schemas(components["schemas"], event)
    message: dict[str, Any] = {
        "name": event.ce_type(),
        "title": event.__name__,
        "contentType": CONTENT_TYPE,
        "headers": {"$ref": SCHEMAS_REF + HEADERS_SCHEMA},
        "payload": {"$ref": SCHEMAS_REF + name},
    }
    if event.__doc__:
        message["summary"] = event.__doc__.strip().splitlines()[0]
    if topic is not None:
        key = {"type": "string", "description": topic.keys[event.event_type].describes}
        message["bindings"] = {"kafka": {"key": key, "bindingVersion": KAFKA_BINDING_VERSION}}
    components["messages"].setdefault(name, message)


def _add_schemas(schemas: dict[str, Any], event: type[EventModel]) -> None:
    """The event's schema and its nested models, with `$ref`s pointing into components."""
    schema = event.model_json_schema(ref_template=SCHEMAS_REF + "{model}")
    for def_name, definition in schema.pop("$defs", {}).items():
        if schemas.setdefault(def_name, definition) != definition:
            raise ValueError(f"two different nested models are both called {def_name!r}")
    schemas[event.schema_name()] = schema


def _topic_binding(topic: Topic) -> dict[str, Any]:
    config = topic.kafka_config()
    return {
        "topic": topic.name,
        "partitions": topic.partitions,
        "topicConfiguration": {
            "cleanup.policy": [config["cleanup.policy"]],
            "retention.ms": int(config["retention.ms"]),
        },
        "bindingVersion": KAFKA_BINDING_VERSION,
    }


def _events_of(topic: Topic) -> list[type[EventModel]]:
    return [event for event in ALL_EVENTS if event.event_type in topic.event_types]


def _version() -> str:
    """The jisr distribution's version; a source checkout that is not installed has none."""
    try:
        return metadata.version("jisr")
    except metadata.PackageNotFoundError:
        return "0.0.0"
