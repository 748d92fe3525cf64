"""CloudEvents 1.0 envelope in Kafka binary content mode.

In binary mode the event attributes travel as Kafka headers with the ``ce_`` prefix and the
event data is the record value (JSON). The W3C ``traceparent`` header carries the trace.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from pydantic import ValidationError
from uuid6 import uuid7

from .base import EventModel

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"


_BYTES = (bytes, bytearray)  # a tuple, not `bytes | bytearray`: this runs per header


class EnvelopeError(ValueError):
    """A Kafka record that is not a valid jisr CloudEvent."""


@dataclass(frozen=True)
class Envelope:
    id: UUID
    type: str
    source: str
    time: datetime
    subject: str | None
    data: EventModel
    traceparent: str | None = None

    @property
    def dataschema(self) -> str:
        return f"urn:jisr:schema:{type(self.data).schema_name()}"


def new_envelope(
    data: EventModel,
    *,
    source: str,
    subject: str | None = None,
    traceparent: str | None = None,
    time: datetime | None = None,
) -> Envelope:
    """Wrap an event with a fresh UUIDv7 id (time-ordered, so ids sort by creation)."""
    return Envelope(
        id=uuid7(),
        type=data.ce_type(),
        source=source,
        time=time or datetime.now(UTC),
        subject=subject,
        data=data,
        traceparent=traceparent,
    )


def encode_headers(env: Envelope) -> dict[str, str]:
    headers = {
        "ce_specversion": SPEC_VERSION,
        "ce_id": str(env.id),
        "ce_type": env.type,
        "ce_source": env.source,
        "ce_time": env.time.isoformat(),
        "ce_dataschema": env.dataschema,
        "content-type": CONTENT_TYPE,
    }
    if env.subject is not None:
        headers["ce_subject"] = env.subject
    if env.traceparent:
        headers["traceparent"] = env.traceparent
    return headers


def encode_value(data: EventModel) -> bytes:
    return data.model_dump_json().encode()


def header_map(
    headers: Mapping[str, str | bytes] | Iterable[tuple[str, bytes]], errors: str = "strict"
) -> dict[str, str]:
    """Normalise Kafka headers (aiokafka gives a tuple of (str, bytes)) to str -> str."""
    if isinstance(headers, tuple) and errors == "strict":
        # What aiokafka gives every record: (str, bytes) pairs. One decode per value, no test
        # per header (this runs for every record a consumer or a rebuild reads).
        try:
            return {k: v.decode() for k, v in headers}
        except AttributeError:  # a str value among them: the general case below
            pass
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {k: v.decode(errors=errors) if isinstance(v, _BYTES) else str(v) for k, v in items}


def decode(
    headers: Mapping[str, str | bytes] | Iterable[tuple[str, bytes]],
    value: bytes,
    catalogue: Mapping[str, type[EventModel]],
) -> Envelope:
    """Parse a Kafka record into an Envelope; raises EnvelopeError naming what is wrong."""
    try:
        h = header_map(headers)
    except UnicodeDecodeError as exc:
        raise EnvelopeError(f"headers are not UTF-8: {exc.reason}") from exc
    missing = [k for k in ("ce_id", "ce_type", "ce_source", "ce_time") if k not in h]
    if missing:
        raise EnvelopeError(f"missing CloudEvents headers: {', '.join(missing)}")
    model = catalogue.get(h["ce_type"])
    if model is None:
        raise EnvelopeError(f"unknown event type {h['ce_type']!r}")
    try:
        event_id = UUID(h["ce_id"])
        time = datetime.fromisoformat(h["ce_time"])
    except ValueError as exc:
        raise EnvelopeError(f"bad ce_id or ce_time: {exc}") from exc
    if time.tzinfo is None:
        raise EnvelopeError("ce_time must carry a UTC offset (RFC 3339)")
    try:
        data = model.model_validate_json(value)
    except ValidationError as exc:
        raise EnvelopeError(f"invalid {h['ce_type']} data: {_describe(exc)}") from exc
    return Envelope(
        id=event_id,
        type=h["ce_type"],
        source=h["ce_source"],
        time=time,
        subject=h.get("ce_subject"),
        data=data,
        traceparent=h.get("traceparent"),
    )


def _describe(exc: ValidationError) -> str:
    """Field and rule of each error, never the offending value (it could be anything)."""
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
        for err in exc.errors(include_url=False, include_input=False)
    )
