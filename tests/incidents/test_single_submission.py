"""A station's single POST as one statement (repositories/submissions.py): it stores what the
transactional path stores, and keeps every answer the rules give (a retried source_ref, an
Idempotency-Key replayed or reused, a refusal, concurrent retries)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from libs.chassis.auth import Principal
from libs.chassis.db import in_transaction, make_engine
from libs.chassis.idempotency import Claim
from libs.reference import load_reference
from services.incidents.application import recording
from services.incidents.domain.weeks import week_start
from services.incidents.schemas import IncidentIn

from .test_records_api import FULL

STATION = "AM-01-S1"


def body(source_ref: str, **changes) -> dict:
    return FULL | {"source_ref": source_ref} | changes


async def stored(platform, source_ref: str) -> dict:
    """Everything the submission stored, without ids and times."""
    [incident] = await platform.sql(
        "incidents",
        "SELECT incident_id, district_code, governorate_code, boundary_version, location_type,"
        " occurred_at, occurred_to, reported_at, counting_rules_version, status, victims,"
        " offenders FROM incidents WHERE station_id = $1 AND source_ref = $2",
        STATION,
        source_ref,
    )
    incident_id = incident["incident_id"]
    offences = await platform.sql(
        "incidents",
        "SELECT seq, iccs_code, national_code, attempted, weapon, domestic, cyber"
        " FROM offences WHERE incident_id = $1 ORDER BY seq",
        incident_id,
    )
    versions = await platform.sql(
        "incidents",
        "SELECT version, valid_to, status, categories, station_id, district_code,"
        " governorate_code, occurred_at, week_start, counting_rules_version"
        " FROM incident_versions WHERE incident_id = $1",
        incident_id,
    )
    events = await platform.sql(
        "incidents",
        "SELECT topic, key, event_type, headers, payload FROM outbox WHERE key = $1",
        str(incident_id),
    )
    [event] = events
    payload = json.loads(event["payload"])
    headers = json.loads(event["headers"])
    for volatile in ("incident_id", "recorded_at"):
        payload.pop(volatile)
    for volatile in ("ce_id", "ce_time", "ce_subject", "traceparent"):
        headers.pop(volatile, None)
    return {
        "incident": {k: v for k, v in incident.items() if k != "incident_id"},
        "offences": [dict(o) for o in offences],
        "versions": [dict(v) for v in versions],
        "event": {"topic": event["topic"], "type": event["event_type"], "payload": payload},
        "headers": sorted(headers),
    }


async def counts(platform) -> dict[str, int]:
    rows = await platform.sql(
        "incidents", "SELECT iccs_code, n FROM weekly_counts WHERE station_id = $1", STATION
    )
    return {r["iccs_code"]: r["n"] for r in rows}


async def test_one_statement_stores_what_the_transactional_path_stores(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station=STATION)
    fast = await client.post("/v1/incidents", json=body("one"), headers=officer)
    assert fast.status_code == 201, fast.text
    assert fast.headers["Location"] == f"/v1/incidents/{fast.json()['incident_id']}"
    assert fast.json()["status"] == "recorded"

    rt = client.app.state.runtime
    principal = Principal("officer", frozenset({"station_officer"}), station_id=STATION)
    status, _ = await in_transaction(
        rt.sessions,
        lambda s: recording.submit(
            s,
            IncidentIn.model_validate(body("two")),
            principal,
            load_reference(),
            datetime.now(UTC),
        ),
    )
    assert status == 201
    assert await stored(platform, "one") == await stored(platform, "two")
    assert await counts(platform) == {code: 2 for code in ("02", "0201", "05", "0501")}


async def test_a_retried_source_ref_answers_the_original_and_its_key_replays_that(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station=STATION)
    first = await client.post("/v1/incidents", json=body("r-1"), headers=officer)
    assert first.status_code == 201
    original = first.json()["incident_id"]

    for key in (None, "retry-key"):
        headers = officer | ({"Idempotency-Key": key} if key else {})
        again = await client.post("/v1/incidents", json=body("r-1"), headers=headers)
        assert again.status_code == 200, again.text
        assert again.json() == {"incident_id": original, "status": "already_recorded"}
    replay = await client.post(
        "/v1/incidents", json=body("r-1"), headers=officer | {"Idempotency-Key": "retry-key"}
    )
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == {"incident_id": original, "status": "already_recorded"}
    assert await platform.scalar("incidents", "SELECT count(*) FROM incidents") == 1
    assert await platform.scalar("incidents", "SELECT count(*) FROM outbox") == 1
    assert await counts(platform) == {code: 1 for code in ("02", "0201", "05", "0501")}


async def test_an_idempotency_key_is_replayed_and_refused_for_another_request(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station=STATION)
    keyed = officer | {"Idempotency-Key": "k-1"}
    first = await client.post("/v1/incidents", json=body("k-1"), headers=keyed)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    replay = await client.post("/v1/incidents", json=body("k-1"), headers=keyed)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert replay.headers["Location"] == first.headers["Location"]

    reused = await client.post("/v1/incidents", json=body("k-other"), headers=keyed)
    assert reused.status_code == 422, reused.text
    assert "already used for a different request" in reused.text
    too_long = await client.post(
        "/v1/incidents", json=body("k-2"), headers=officer | {"Idempotency-Key": "x" * 201}
    )
    assert too_long.status_code == 422
    [row] = await platform.sql(
        "incidents", "SELECT status_code, response FROM idempotency_keys WHERE key = 'k-1'"
    )
    assert (row["status_code"], json.loads(row["response"])) == (201, first.json())
    assert await platform.scalar("incidents", "SELECT count(*) FROM incidents") == 1
    assert await platform.scalar("incidents", "SELECT count(*) FROM outbox") == 1


async def test_a_refused_submission_keeps_its_key_free_for_the_corrected_one(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station=STATION)
    future = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    keyed = officer | {"Idempotency-Key": "fix-me"}
    refused = await client.post(
        "/v1/incidents", json=body("f-1", occurred_at=future, occurred_to=None), headers=keyed
    )
    assert refused.status_code == 422 and "occurred_at" in refused.text
    other_station = await client.post(
        "/v1/incidents", json=body("f-1", station_id="AM-01-S2"), headers=keyed
    )
    assert other_station.status_code == 403
    fixed = await client.post("/v1/incidents", json=body("f-1"), headers=keyed)
    assert fixed.status_code == 201 and "Idempotent-Replayed" not in fixed.headers
    assert await platform.scalar("incidents", "SELECT count(*) FROM incidents") == 1


async def test_concurrent_retries_store_one_incident_and_answer_it_to_all(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station=STATION)
    same_key = await asyncio.gather(
        *(
            client.post(
                "/v1/incidents", json=body("c-1"), headers=officer | {"Idempotency-Key": "c"}
            )
            for _ in range(8)
        )
    )
    assert {r.status_code for r in same_key} == {201}
    assert len({r.json()["incident_id"] for r in same_key}) == 1
    same_ref = await asyncio.gather(
        *(
            client.post(
                "/v1/incidents", json=body("c-2"), headers=officer | {"Idempotency-Key": f"c{i}"}
            )
            for i in range(8)
        )
    )
    assert sorted(r.status_code for r in same_ref) == [200] * 7 + [201]
    assert len({r.json()["incident_id"] for r in same_ref}) == 1
    assert await platform.scalar("incidents", "SELECT count(*) FROM incidents") == 2
    assert await platform.scalar("incidents", "SELECT count(*) FROM outbox") == 2
    assert await counts(platform) == {code: 2 for code in ("02", "0201", "05", "0501")}


async def test_a_submission_into_a_closed_week_queues_its_alert_recheck(platform):
    # No service running: its recheck job would empty the queue before we look.
    await platform.migrate("incidents")
    occurred = datetime.now(UTC) - timedelta(days=14)
    week = week_start(occurred)
    await platform.sql(
        "incidents",
        "INSERT INTO station_periods VALUES ($1, $2, 0, now(), 'test')",
        STATION,
        week,
    )
    engine = make_engine(platform.settings.database_url, "incidents")
    principal = Principal("officer", frozenset({"station_officer"}), station_id=STATION)
    incident = IncidentIn(
        station_id=STATION,
        source_ref="late-1",
        occurred_at=occurred,
        offences=[{"iccs_code": "0502"}],
    )
    claim = Claim("officer:POST /v1/incidents", "late", "hash")
    told: list[None] = []
    try:
        answer = await recording.submit_at_once(
            engine,
            incident,
            principal,
            load_reference(),
            datetime.now(UTC),
            claim,
            lambda: told.append(None),
        )
    finally:
        await engine.dispose()
    assert answer is not None and answer[0] == 201
    assert len(told) == 1  # the relay is told of the one event stored
    queued = await platform.sql("incidents", "SELECT station_id, week_start FROM alert_rechecks")
    assert [(r["station_id"], r["week_start"]) for r in queued] == [(STATION, week)]
    [key] = await platform.sql("incidents", "SELECT status_code, response FROM idempotency_keys")
    assert key["status_code"] == 201
    assert json.loads(key["response"]) == answer[1]


async def test_the_request_is_traced_through_its_statement_to_its_event(incidents):
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import SpanKind

    from libs.chassis.telemetry import setup_tracing

    platform, client = incidents
    exporter = InMemorySpanExporter()
    setup_tracing("incidents").add_span_processor(SimpleSpanProcessor(exporter))
    try:
        officer = platform.token("station_officer", station=STATION)
        posted = await client.post("/v1/incidents", json=body("t-1"), headers=officer)
        assert posted.status_code == 201
        spans = exporter.get_finished_spans()
    finally:
        exporter.shutdown()  # the processor stays on the provider; stop it collecting
    [server] = [s for s in spans if s.kind is SpanKind.SERVER]
    assert server.name == "POST /v1/incidents"
    assert server.attributes["http.route"] == "/v1/incidents"
    assert server.attributes["http.response.status_code"] == 201
    [statement] = [s for s in spans if s.name == "INSERT incidents"]
    assert statement.kind is SpanKind.CLIENT and statement.parent.span_id == server.context.span_id
    [headers] = await platform.sql("incidents", "SELECT headers FROM outbox")
    traceparent = json.loads(headers["headers"])["traceparent"]
    assert traceparent.split("-")[1:3] == [
        f"{server.context.trace_id:032x}",
        f"{server.context.span_id:016x}",
    ]
