"""The incidents use cases on a rolled-back session: what one transaction stores and stages.

No service, no broker: the application functions run on the shared database and everything
they write (rows, counts, outbox) is undone when the test ends.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest
from sqlalchemy import text

from libs.chassis.auth import Principal
from libs.chassis.db import in_transaction
from libs.chassis.errors import RuleViolation
from libs.contracts.topics import INCIDENTS_RECORDED
from libs.reference import load_reference
from services.incidents.application import corrections, periods, recording
from services.incidents.schemas import IncidentIn, OutcomeIn, Reclassification, Voiding

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
OFFICER = Principal("officer-am", frozenset({"station_officer"}), station_id="AM-01-S1")
THEFT = IncidentIn(
    station_id="AM-01-S1",
    source_ref="app-1",
    occurred_at=datetime(2026, 9, 1, 7, 0, tzinfo=UTC),
    offences=[{"iccs_code": "0502"}],
)


async def outbox(session, key: str) -> list[tuple[str, str]]:
    rows = await session.execute(
        text("SELECT topic, event_type FROM outbox WHERE key = :k ORDER BY id"), {"k": key}
    )
    return [tuple(r) for r in rows]


async def counts(session) -> dict[str, int]:
    rows = await session.execute(
        text(
            "SELECT iccs_code, sum(n) FROM weekly_counts WHERE station_id = 'AM-01-S1'"
            " GROUP BY 1 HAVING sum(n) <> 0"
        )
    )
    return {code: n for code, n in rows}


async def test_a_record_and_its_correction_stage_their_events_with_the_rows(rollback):
    sessions = await rollback("incidents")
    reference = load_reference()
    async with sessions() as session, session.begin():
        status, body = await recording.submit(session, THEFT, OFFICER, reference, NOW)
        incident_id = body["incident_id"]
        assert status == 201 and body["status"] == "recorded"
        assert await outbox(session, incident_id) == [
            (INCIDENTS_RECORDED.name, "jisr.incident.recorded.v1")
        ]
        assert await counts(session) == {"05": 1, "0502": 1}

        corrected = await corrections.reclassify(
            session,
            UUID(incident_id),
            Reclassification(offences=[{"iccs_code": "0401"}]),
            OFFICER,
            reference,
            NOW + timedelta(hours=1),
        )
        assert corrected["version"] == 2
        # the correction's event is staged in the transaction that moved the counts
        assert [t for _, t in await outbox(session, incident_id)] == [
            "jisr.incident.recorded.v1",
            "jisr.incident.reclassified.v1",
        ]
        assert await counts(session) == {"04": 1, "0401": 1}
        versions = await session.execute(
            text(
                "SELECT version, valid_to IS NULL, categories FROM incident_versions"
                " WHERE incident_id = :i ORDER BY version"
            ),
            {"i": incident_id},
        )
        assert [tuple(v) for v in versions] == [
            (1, False, ["05", "0502"]),
            (2, True, ["04", "0401"]),
        ]


async def test_a_resubmitted_source_ref_answers_the_original_and_stages_nothing(rollback):
    sessions = await rollback("incidents")
    reference = load_reference()
    async with sessions() as session, session.begin():
        first = await recording.record_incident(session, THEFT, reference, NOW)
        again = await recording.record_incident(session, THEFT, reference, NOW)
        assert again == (
            200,
            {"incident_id": first[1]["incident_id"], "status": "already_recorded"},
        )
        assert len(await outbox(session, first[1]["incident_id"])) == 1
        assert await counts(session) == {"05": 1, "0502": 1}


async def test_a_refused_correction_leaves_nothing_behind(rollback):
    sessions = await rollback("incidents")
    reference = load_reference()
    _, body = await in_transaction(
        sessions, lambda s: recording.record_incident(s, THEFT, reference, NOW)
    )
    incident_id = body["incident_id"]
    await in_transaction(
        sessions,
        lambda s: corrections.void(s, UUID(incident_id), Voiding(), OFFICER, reference, NOW),
    )
    outcome = OutcomeIn(outcome="charged", outcome_date=date(2026, 9, 20))
    with pytest.raises(RuleViolation) as refused:
        await in_transaction(
            sessions,
            lambda s: corrections.set_outcome(
                s, UUID(incident_id), outcome, OFFICER, reference, NOW
            ),
        )
    assert refused.value.status == 409 and "no_crime" in refused.value.rule
    async with sessions() as session:
        assert [t for _, t in await outbox(session, incident_id)] == [
            "jisr.incident.recorded.v1",
            "jisr.incident.voided.v1",
        ]
        assert await counts(session) == {}


async def test_closing_a_week_stages_the_period_keyed_by_station(rollback):
    sessions = await rollback("incidents")
    reference = load_reference()
    async with sessions() as session, session.begin():
        await recording.record_incident(session, THEFT, reference, NOW)
        fresh, period = await periods.close_period(
            session, reference, "AM-01-S1", "2026-08-31", OFFICER, NOW
        )
        assert fresh and period["incident_count"] == 1 and period["alerts"] == []
        assert await outbox(session, "AM-01-S1") == [
            (INCIDENTS_RECORDED.name, "jisr.station.period_closed.v1")
        ]
        again, _ = await periods.close_period(
            session, reference, "AM-01-S1", "2026-W36", OFFICER, NOW
        )
        assert not again and len(await outbox(session, "AM-01-S1")) == 1
