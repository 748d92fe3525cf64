"""CloudEvents binary-mode envelope: what goes into Kafka comes back out equal, or fails clearly."""

from __future__ import annotations

import pytest

from libs.contracts.catalogue import CATALOGUE
from libs.contracts.envelope import (
    EnvelopeError,
    decode,
    encode_headers,
    encode_value,
    new_envelope,
)

from .samples import SAMPLES, incident_recorded

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def _record(**overrides: str) -> tuple[dict[str, str], bytes]:
    env = new_envelope(incident_recorded(), source="incidents", subject="inc-1")
    headers = encode_headers(env) | overrides
    return headers, encode_value(env.data)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.__name__)
def test_round_trip(sample):
    data = sample()
    env = new_envelope(data, source="svc", subject="abc", traceparent=TRACEPARENT)
    kafka_headers = [(k, v.encode()) for k, v in encode_headers(env).items()]

    back = decode(kafka_headers, encode_value(data), CATALOGUE)

    assert back.data == data
    assert back.id == env.id
    assert back.type == data.ce_type()
    assert back.subject == "abc"
    assert back.traceparent == TRACEPARENT
    assert back.time == env.time
    assert back.dataschema == f"urn:jisr:schema:{data.schema_name()}"


def test_envelope_ids_are_uuid7():
    assert new_envelope(incident_recorded(), source="incidents").id.version == 7


def test_missing_headers():
    headers, value = _record()
    del headers["ce_id"], headers["ce_time"]
    with pytest.raises(EnvelopeError, match="missing CloudEvents headers: ce_id, ce_time"):
        decode(headers, value, CATALOGUE)


def test_unknown_type():
    headers, value = _record(ce_type="jisr.incident.teleported.v1")
    with pytest.raises(EnvelopeError, match="unknown event type 'jisr.incident.teleported.v1'"):
        decode(headers, value, CATALOGUE)


def test_bad_id():
    headers, value = _record(ce_id="not-a-uuid")
    with pytest.raises(EnvelopeError, match="bad ce_id or ce_time"):
        decode(headers, value, CATALOGUE)


def test_invalid_json():
    headers, _ = _record()
    with pytest.raises(EnvelopeError, match="invalid jisr.incident.recorded.v1 data"):
        decode(headers, b"{not json", CATALOGUE)


def test_invalid_data():
    headers, _ = _record()
    with pytest.raises(EnvelopeError, match="invalid jisr.incident.recorded.v1 data.*station_id"):
        decode(headers, b'{"incident_id": "0190a6a0-0000-7000-8000-000000000001"}', CATALOGUE)


def test_unknown_field_is_rejected():
    headers, value = _record()
    tampered = value.replace(b'"station_id"', b'"complainant_name": "x", "station_id"')
    with pytest.raises(EnvelopeError, match="complainant_name"):
        decode(headers, tampered, CATALOGUE)
