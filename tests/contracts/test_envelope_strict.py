"""Envelope decoding rejects what a consumer could not handle safely, as EnvelopeError."""

import pytest

from libs.contracts.catalogue import CATALOGUE
from libs.contracts.envelope import EnvelopeError, decode

HEADERS = {
    "ce_id": "0190a6b0-0000-7000-8000-000000000001",
    "ce_type": "jisr.station.period_closed.v1",
    "ce_source": "jisr/test",
    "ce_time": "2026-11-20T10:00:00+00:00",
}
VALUE = (
    b'{"station_id": "AM-01-S1", "week_start": "2026-11-16", "incident_count": 0,'
    b' "closed_at": "2026-11-23T00:00:00Z"}'
)


def test_valid_record_decodes():
    assert decode(HEADERS, VALUE, CATALOGUE).data.incident_count == 0


def test_time_without_offset_is_rejected():
    with pytest.raises(EnvelopeError, match="UTC offset"):
        decode(HEADERS | {"ce_time": "2026-11-20T10:00:00"}, VALUE, CATALOGUE)


def test_headers_that_are_not_utf8_are_rejected():
    headers = [(k, v.encode()) for k, v in HEADERS.items()] + [("ce_subject", b"\xff\xfe")]
    with pytest.raises(EnvelopeError, match="UTF-8"):
        decode(headers, VALUE, CATALOGUE)
