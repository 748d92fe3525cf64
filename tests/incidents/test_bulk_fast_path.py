"""The bulk path's shortcuts give what the general path gives: the line splitter, the CSV
fast path, the batch-built event and outbox row (against `recorded_event` and
`outbox.publish`). Pure or in-memory: no database."""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, datetime

from libs.chassis.uploads import LineProblem, numbered_line_batches, numbered_lines
from libs.contracts.envelope import encode_headers, encode_value, new_envelope
from libs.contracts.incidents import IncidentRecorded
from libs.contracts.topics import topic_for_event
from libs.reference import load_reference
from services.incidents.application import bulk
from services.incidents.domain.submission import recorded_event

NOW = datetime(2026, 10, 1, 12, 0, 0, 123456, tzinfo=UTC)


async def _reference_lines(chunks: list[bytes], max_bytes: int):
    """The splitter as it was before it split whole chunks at once (one line at a time)."""
    too_long = "too long"
    pending = bytearray()
    overlong = False
    number = 0
    out = []
    for chunk in chunks:
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            number += 1
            piece = chunk[start:end]
            start = end + 1
            if overlong or len(pending) + len(piece) > max_bytes:
                out.append((number, too_long))
            elif pending.strip() or piece.strip():
                pending += piece
                try:
                    out.append((number, bytes(pending).decode("utf-8").rstrip("\r")))
                except UnicodeDecodeError:
                    out.append((number, "not UTF-8"))
            pending.clear()
            overlong = False
        if not overlong:
            rest = chunk[start:]
            if len(pending) + len(rest) > max_bytes:
                overlong = True
                pending.clear()
            else:
                pending += rest
    if overlong:
        out.append((number + 1, too_long))
    elif pending.strip():
        try:
            out.append((number + 1, bytes(pending).decode("utf-8").rstrip("\r")))
        except UnicodeDecodeError:
            out.append((number + 1, "not UTF-8"))
    return out


def _stream(chunks: list[bytes]):
    async def gen():
        for c in chunks:
            yield c

    return gen()


async def test_the_chunk_splitter_numbers_lines_as_the_line_at_a_time_one():
    rng = random.Random(7)
    pieces = [b"a,b", b"\r", b"\n", b"\n", b"   \n", b"\x1f\n", b"\xc3\xa9", b"\xff", b"\t\n",
              b"x" * 40, b"\xe2\x80\x83\n", b"\n\n", b"last"]  # fmt: skip
    for _ in range(300):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randrange(1, 40)))
        cuts = sorted(rng.sample(range(1, max(len(data), 2)), min(len(data) - 1, 4)))
        chunks = [data[i:j] for i, j in zip([0, *cuts], [*cuts, len(data)], strict=True)]
        expected = await _reference_lines(chunks, max_bytes=32)
        got = [
            (n, line if isinstance(line, str) else ("too long" if "longer" in str(line)
             else str(line)))
            async for n, line in numbered_lines(_stream(chunks), max_bytes=32)
        ]  # fmt: skip
        assert got == expected, (chunks, got, expected)
    batches = [b async for b in numbered_line_batches(_stream([b"a\nb\n", b"c"]))]
    assert batches == [[(1, "a"), (2, "b")], [(3, "c")]]
    assert not any(isinstance(line, LineProblem) for b in batches for _, line in b)


HEADER = list(bulk.CSV_COLUMNS)
LINES = [
    "AM-01-S1,f-1,2026-09-01T10:00:00+03:00,,,street,0502,,,,,",
    "AM-01-S1,f-2,2026-09-01T10:00:00+03:00,2026-09-01T11:00:00+03:00,2026-09-02T10:00:00Z,"
    "residence,0501;0201,;,0;1,knife;,1;0,0;1",
    "AM-01-S1, f-3 ,2026-09-01T10:00:00+03:00,,,, ,DEMO-THF-01,,,,",
    "AM-01-S1,f-4,2026-09-01T10:00:00+03:00,,,street,9999,,,,,",  # not ICCS: general path
    "AM-01-S1,f-5,2026-09-01 10:00:00+03:00,,,street,0502,,,,,",
    "AM-01-S1,f-6,yesterday,,,street,0502,,,,,",
    "AM-01-S1,,2026-09-01T10:00:00+03:00,,,street,0502,,,,,",
    "IR-01-S1,f-8,2026-09-01T10:00:00+03:00,,,street,0502,,,,,",  # another station
    "AM-01-S1,f-9,2026-09-01T10:00:00+03:00,,,street,,,,,,",  # no offence code
]


def test_the_csv_fast_path_gives_the_general_paths_incident_or_defers_to_it():
    reference = load_reference()
    scope = bulk.Scope(True, "AM-01-S1")
    fast = bulk.CsvRows(HEADER, scope, reference, NOW)
    for number, line in enumerate(LINES, 2):
        row = fast(line, number)
        try:
            slow = bulk.validate_row(
                bulk.csv_record(HEADER, line.split(",")), scope, reference, NOW
            )
        except Exception:
            slow = None
        if row is None:
            continue  # the general path decides, as it always did
        assert slow is not None and row.incident == slow, line
        assert row.shape == bulk.shape_of(slow.offences, reference)
    accepted = [fast(line, n) is not None for n, line in enumerate(LINES, 2)]
    assert accepted == [True, True, True, False, True, False, False, False, False]


def _uncopy(field: str) -> str:
    """A COPY text field back to its value."""
    escapes = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}
    return re.sub(r"\\[\\tnr]", lambda m: escapes[m.group(0)], field)


def _rows(reference):
    fast = bulk.CsvRows(HEADER, bulk.Scope(False), reference, NOW)
    return [r for n, line in enumerate(LINES, 2) if (r := fast(line, n)) is not None]


def test_the_batch_built_event_is_the_domains_recorded_event():
    reference = load_reference()
    rows = _rows(reference)
    assert rows and all(bulk._builds_as_the_domain(r, reference, NOW) for r in rows)
    encoded = bulk.encode_batch(rows, reference, NOW)
    for row, (incident_id, line) in zip(rows, encoded.events.items(), strict=True):
        fields = line.rstrip("\n").split("\t")
        payload = IncidentRecorded.model_validate_json(_uncopy(fields[5]))
        expected = recorded_event(payload.incident_id, row.incident, reference, NOW)
        assert payload == expected and str(payload.incident_id) == incident_id
        assert json.loads(_uncopy(fields[5])) == json.loads(encode_value(expected))


def test_the_batch_built_outbox_row_is_what_publish_stages():
    reference = load_reference()
    [row] = _rows(reference)[:1]
    encoded = bulk.encode_batch([row], reference, NOW)
    [(incident_id, line)] = encoded.events.items()
    event_id, topic, key, event_type, headers, payload = line.rstrip("\n").split("\t")
    incident = IncidentRecorded.model_validate_json(_uncopy(payload))
    event = recorded_event(incident.incident_id, row.incident, reference, NOW)
    envelope = new_envelope(event, source="jisr/incidents", subject=incident_id, time=NOW)
    expected = encode_headers(envelope)
    assert (key, event_type) == (incident_id, envelope.type)
    assert topic == topic_for_event("incident.recorded").name
    got = json.loads(_uncopy(headers))
    assert got["ce_id"] == event_id and got["ce_subject"] == incident_id
    assert {k: v for k, v in got.items() if k != "ce_id"} == {
        k: v for k, v in expected.items() if k != "ce_id"
    }


def test_new_ids_are_uuid7_and_increasing():
    from uuid import UUID

    ids = bulk.new_ids(1000)
    parsed = [UUID(i) for i in ids]
    assert all(u.version == 7 and u.variant == "specified in RFC 4122" for u in parsed)
    assert ids == sorted(ids) and len(set(ids)) == 1000


def test_rows_with_victims_carry_the_domains_victim_counts():
    reference = load_reference()
    scope = bulk.Scope(False)
    record = {
        "station_id": "AM-01-S1",
        "source_ref": "v-1",
        "occurred_at": "2026-09-01T10:00:00+03:00",
        "offences": [{"iccs_code": "0201"}],
        "victims": [{"sex": "female", "age_band": "25-34"}, {"sex": "female", "age_band": "25-34"}],
        "offenders": [{"sex": "male"}],
    }
    incident = bulk.validate_row(record, scope, reference, NOW)
    with_people = bulk.Row(incident, 2, bulk.shape_of(incident.offences, reference))
    rows = [with_people, *_rows(reference)]
    encoded = bulk.encode_batch(rows, reference, NOW)
    for row, line in zip(rows, encoded.events.values(), strict=True):
        payload = IncidentRecorded.model_validate_json(_uncopy(line.rstrip("\n").split("\t")[5]))
        assert payload == recorded_event(payload.incident_id, row.incident, reference, NOW)
    first = IncidentRecorded.model_validate_json(
        _uncopy(next(iter(encoded.events.values())).rstrip("\n").split("\t")[5])
    )
    assert [(v.sex, v.age_band, v.count) for v in first.victims] == [("female", "25-34", 2)]
    assert '"sex":"female"' in encoded.incidents[0]  # the record keeps each victim
