"""Storage queries on a rolled-back session: counts are kept per station and summed per area."""

from __future__ import annotations

from collections import Counter
from datetime import date

from libs.reference import load_reference
from services.incidents.repositories import counts

WEEK = date(2026, 8, 31)


async def test_weekly_counts_add_up_and_larger_areas_sum_their_stations(rollback):
    sessions = await rollback("incidents")
    reference = load_reference()
    district = reference.area_chain("AM-01-S1")["district"]
    neighbour = next(s for s in sorted(reference.stations_in(district)) if s != "AM-01-S1")
    async with sessions() as session, session.begin():
        await counts.apply_changes(
            session,
            Counter({("AM-01-S1", "0502", "1", WEEK): 2, (neighbour, "0502", "1", WEEK): 1}),
        )
        await counts.apply_changes(session, Counter({("AM-01-S1", "0502", "1", WEEK): -1}))
        found = await counts.counts_by_week(
            session, reference, [("AM-01-S1", "0502"), (district, "0502")], "1", WEEK
        )
        assert found[("AM-01-S1", "0502")] == {WEEK: 1}
        assert found[(district, "0502")] == {WEEK: 2}
        assert await counts.epoch_start(session, "1", None) == WEEK
