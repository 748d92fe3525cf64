"""Bringing history in: an admin imports past complaints as JSON Lines or CSV, streamed; each
good row becomes a complaint with its original dates, findings and outcome, its ledger and its
events marked imported (on Kafka too); each bad row is reported by line and field without
stopping the others; importing the same rows again stores nothing twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from libs.chassis.errors import RuleViolation
from libs.contracts.topics import COMPLAINTS_STATUS
from libs.reference import load_reference
from services.complaints.domain.history import HistoricalComplaint, check_row, steps_of
from services.complaints.domain.ledger import verify_chain
from tests.complaints.support import complaints_service, decoded, staff

CLOSED = {
    "source_reference": "PSD-2019-0042",
    "received_at": "2019-03-02T10:00:00+03:00",
    "channel": "station_counter",
    "station_id": "AM-01-S1",
    "allegations": [
        {"category": "use_of_force", "against": "officer", "finding": "SUBSTANTIATED"},
        {"category": "discourtesy", "against": "station", "finding": "UNFOUNDED"},
    ],
    "findings_at": "2019-09-10T09:00:00+03:00",
    "outcome": "sanction",
    "outcome_at": "2019-10-01T09:00:00+03:00",
    "status": "closed",
    "status_at": "2019-11-15T12:00:00+03:00",
    "age_band": "25_34",
}
NOT_ACCEPTED = {
    "source_reference": "PSD-2020-0007",
    "received_at": "2020-01-05T08:30:00+03:00",
    "channel": "web",
    "governorate_code": "IR",
    "allegations": [{"category": "corruption_or_bribery"}],
    "status": "not_accepted",
    "status_at": "2020-01-20T08:30:00+03:00",
    "reason": "insufficient_information",
    "anonymous": True,
}
FUTURE = CLOSED | {"source_reference": "PSD-2030-0001", "received_at": "2030-01-01T00:00:00Z"}
HALF_FOUND = CLOSED | {
    "source_reference": "PSD-2019-0099",
    "allegations": [{"category": "use_of_force", "finding": "SUBSTANTIATED"},
                    {"category": "discourtesy"}],
}  # fmt: skip
BEFORE = CLOSED | {"source_reference": "PSD-2019-0100", "outcome_at": "2019-01-01T00:00:00Z"}


def _jsonl(*rows) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in rows)


async def test_history_imports_once_with_row_errors_and_imported_events(platform, tmp_path):
    await platform.migrate("complaints")
    admin = staff(platform, "admin")
    officer = staff(platform, "complaints_officer")
    body = _jsonl(
        CLOSED, b"{not json", FUTURE, HALF_FOUND, b'{"x": "' + b"y" * 70_000 + b'"}',
        NOT_ACCEPTED, BEFORE, CLOSED,
    )  # fmt: skip
    ndjson = {"Content-Type": "application/x-ndjson"}

    async def stream(data: bytes, size: int = 4096):
        for i in range(0, len(data), size):  # the body arrives in chunks, lines cut anywhere
            yield data[i : i + size]

    async with complaints_service(platform) as client:
        refused = await client.post("/v1/complaints/history", content=body,
                                    headers=officer | ndjson)  # fmt: skip
        assert refused.status_code == 403
        wrong = await client.post("/v1/complaints/history", content=body,
                                  headers=admin | {"Content-Type": "text/plain"})  # fmt: skip
        assert wrong.status_code == 415

        response = await client.post(
            "/v1/complaints/history", content=stream(body), headers=admin | ndjson
        )
        assert response.status_code == 200, response.text
        summary = response.json()
        assert (summary["lines"], summary["imported"], summary["duplicates"]) == (8, 2, 1)
        assert summary["rejected"] == 5
        by_line = {e["line"]: e for e in summary["errors"]}
        assert by_line[2]["field"] == "row" and "not parseable" in by_line[2]["rule"]
        assert by_line[3]["field"] == "received_at" and "future" in by_line[3]["rule"]
        assert by_line[4]["field"] == "allegations" and "every allegation" in by_line[4]["rule"]
        assert "longer than" in by_line[5]["rule"]
        assert by_line[7]["field"] == "outcome_at" and "before" in by_line[7]["rule"]

        again = await client.post("/v1/complaints/history", content=body, headers=admin | ndjson)
        assert (again.json()["imported"], again.json()["duplicates"]) == (0, 3)

        csv = (
            "source_reference,received_at,channel,station_id,categories,against,findings,"
            "findings_at,outcome,outcome_at,status,status_at\n"
            "PSD-2018-0001,2018-05-01T10:00:00+03:00,station_counter,AM-01-S1,"
            "use_of_force;abuse_of_authority,officer;officer,EXONERATED;NOT_SUBSTANTIATED,"
            "2018-08-01T10:00:00+03:00,no_further_action,2018-08-20T10:00:00+03:00,closed,"
            "2018-09-30T10:00:00+03:00\n"
            "PSD-2018-0002,2018-05-02T10:00:00+03:00,hotline,XX-99,other,officer,,,,,closed,"
            "2018-06-01T10:00:00+03:00\n"
        )
        from_csv = await client.post(
            "/v1/complaints/history", content=csv.encode(),
            headers=admin | {"Content-Type": "text/csv"},
        )  # fmt: skip
        assert from_csv.status_code == 200, from_csv.text
        assert (from_csv.json()["imported"], from_csv.json()["rejected"]) == (1, 1)
        assert from_csv.json()["errors"][0] == {
            "line": 3, "field": "station_id", "rule": "unknown station 'XX-99'"}  # fmt: skip

        listed = (await client.get("/v1/complaints", headers=officer)).json()
        assert len(listed) == 3

        # Published through the outbox (read while the service, and so its relay, runs):
        # 8 + 3 (not accepted) + 8 (the CSV row) events, each imported, with the original
        # dates; no source reference and no personal data in them.
        # (The topic also carries the ledger's signed checkpoints, which the scheduler may
        # sign at any moment: they are the log's, not the imported complaints'.)
        wanted, events = 19, []
        for _ in range(5):  # read again, further, for every checkpoint that came in between
            records = await platform.topic_records(
                COMPLAINTS_STATUS.name, wanted, 60, distinct=True
            )
            events = [(t, e) for t, e in decoded(records) if "checkpoint" not in t]
            if len(events) >= 19:
                break
            wanted = len(records) + 19 - len(events)
        assert len(events) == 19
        assert all(e["imported"] is True for _, e in events)
        received = sorted(e["received_at"][:10] for t, e in events if t.endswith("received.v1"))
        assert received == ["2018-05-01", "2019-03-02", "2020-01-05"]
        text = json.dumps([e for _, e in events])
        assert "PSD-20" not in text

    rows = await platform.sql(
        "complaints",
        "SELECT complaint_id, source_reference, status, received_at, closed_at, imported_at,"
        " ledger_sequence FROM complaints ORDER BY received_at",
    )
    assert [(r["source_reference"], r["status"]) for r in rows] == [
        ("PSD-2018-0001", "closed"), ("PSD-2019-0042", "closed"), ("PSD-2020-0007", "not_accepted")
    ]  # fmt: skip
    closed = rows[1]
    assert closed["received_at"] == datetime(2019, 3, 2, 7, 0, tzinfo=UTC)
    assert closed["closed_at"] == datetime(2019, 11, 15, 9, 0, tzinfo=UTC)
    assert closed["imported_at"] > closed["received_at"]
    assert closed["ledger_sequence"] == 4  # received, findings, outcome, closed
    findings = await platform.sql(
        "complaints",
        "SELECT category, finding FROM allegations WHERE complaint_id = $1 ORDER BY position",
        closed["complaint_id"],
    )
    assert [(f["category"], f["finding"]) for f in findings] == [
        ("use_of_force", "SUBSTANTIATED"), ("discourtesy", "UNFOUNDED")]  # fmt: skip

    stored = await platform.sql(
        "complaints",
        "SELECT event_type, sequence, data FROM complaint_events WHERE complaint_id = $1"
        " ORDER BY id",
        closed["complaint_id"],
    )
    types = [r["event_type"].split(".")[1] + "." + r["event_type"].split(".")[2] for r in stored]
    assert types == [
        "complaint.received", "complaint.status_changed", "complaint.finding_recorded",
        "complaint.finding_recorded", "complaint.status_changed", "complaint.status_changed",
        "complaint.status_changed", "complaint.closed",
    ]  # fmt: skip
    data = [json.loads(r["data"]) for r in stored]
    assert all(d["imported"] is True for d in data)
    chain = [d for r, d in zip(stored, data, strict=True) if r["sequence"] is not None]
    assert [(d["from_status"], d["to_status"], d["changed_at"][:10]) for d in chain] == [
        (None, "received", "2019-03-02"), ("received", "findings", "2019-09-10"),
        ("findings", "outcome", "2019-10-01"), ("outcome", "closed", "2019-11-15"),
    ]  # fmt: skip
    assert chain[2]["reason"] == "sanction"
    assert verify_chain(str(closed["complaint_id"]), chain) == []



NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"status": "under_investigation"}, "status", "only finished complaints"),
        ({"status": "referred", "reason": None}, "reason", "needs its reason"),
        ({"findings_at": None}, "findings_at", "date they were made"),
        ({"outcome_at": None}, "outcome_at", "date it was decided"),
        ({"status_at": "2019-09-30T00:00:00Z"}, "status_at", "before outcome_at"),
        ({"station_id": None}, "station_id", "say where"),
        ({"allegations": [{"category": "other", "against": "unit"}]}, "allegations.0", "unit_code"),
    ],
)
def test_a_row_of_history_names_what_is_wrong(change, field, words):
    try:
        row = HistoricalComplaint.model_validate(CLOSED | change)
        check_row(row, load_reference(), NOW)
    except RuleViolation as exc:
        assert ".".join(map(str, exc.loc[1:])) == field and words in exc.rule
    except ValueError as exc:  # pydantic's ValidationError
        assert field in str(exc) and words in str(exc)
    else:
        raise AssertionError(f"accepted {change}")


def test_the_ledger_holds_only_the_steps_the_old_record_knows():
    informal = HistoricalComplaint.model_validate(
        {k: v for k, v in CLOSED.items() if k != "findings_at"}
        | {"allegations": [{"category": "discourtesy"}], "outcome": "resolved_informally"}
    )
    assert check_row(informal, load_reference(), NOW) == "AM"
    assert [s.status for s in steps_of(informal)] == ["received", "outcome", "closed"]
    refused = HistoricalComplaint.model_validate(NOT_ACCEPTED)
    assert [(s.status, s.reason) for s in steps_of(refused)] == [
        ("received", None), ("not_accepted", "insufficient_information")]  # fmt: skip


async def test_no_file_content_answers_500(platform):
    """The hardening inputs of incidents' bulk upload, sent to the history import: a NUL in a
    row, JSON nested too deeply, bytes that are not UTF-8, a CSV header with a bare CR. Each is
    that row's error (the good row is stored) or, for the header, a 422 for the file."""
    await platform.migrate("complaints")
    admin = staff(platform, "admin")
    nul = CLOSED | {"source_reference": "PSD-2019-0500", "reason": "bad\x00value"}
    body = _jsonl(
        nul, b"[" * 30_000 + b"]" * 30_000, b"\xff\xfe not utf-8", CLOSED,
    )  # fmt: skip
    async with complaints_service(platform) as client:
        response = await client.post(
            "/v1/complaints/history", content=body,
            headers=admin | {"Content-Type": "application/x-ndjson"},
        )  # fmt: skip
        assert response.status_code == 200, response.text
        summary = response.json()
        assert (summary["imported"], summary["rejected"]) == (1, 3)
        rules = {e["line"]: (e["field"], e["rule"]) for e in summary["errors"]}
        assert rules[1][0] == "reason" and "control characters" in rules[1][1]
        assert rules[2] == ("row", "not parseable: nested too deeply")
        assert rules[3] == ("row", "not UTF-8")
        assert "bad\x00value" not in response.text  # the value is not echoed

        header = await client.post(
            "/v1/complaints/history", content=b"source_reference,rec\rived_at\n",
            headers=admin | {"Content-Type": "text/csv"},
        )  # fmt: skip
        assert header.status_code == 422
        assert header.json()["detail"][0]["loc"] == ["body", "header"]
