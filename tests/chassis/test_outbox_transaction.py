"""The outbox row shares the caller's transaction, even when staging is its first statement."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from libs.chassis.db import make_engine, make_session_factory
from libs.chassis.outbox import stage
from libs.contracts.envelope import new_envelope
from libs.contracts.incidents import IncidentRecorded, Offence


def _envelope():
    event = IncidentRecorded(
        incident_id=uuid4(),
        station_id="AM-01-S1",
        district_code="AM-01",
        governorate_code="AM",
        offences=[Offence(iccs_code="0201")],
        occurred_at=datetime.now(UTC),
        recorded_at=datetime.now(UTC),
    )
    return new_envelope(event, source="jisr/test"), str(event.incident_id)


async def test_rolled_back_transaction_leaves_no_event(platform):
    await platform.migrate("incidents")
    engine = make_engine(platform.settings.database_url, "incidents")
    sessions = make_session_factory(engine)
    try:
        async with sessions() as session, session.begin():
            await stage(session, "incidents", [_envelope()])
            await session.rollback()
        async with sessions() as session, session.begin():
            await stage(session, "incidents", [_envelope()])
    finally:
        await engine.dispose()
    assert await platform.scalar("incidents", "SELECT count(*) FROM outbox") == 1
