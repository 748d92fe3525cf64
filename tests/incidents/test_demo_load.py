"""`jisr up --demo` loading: what the generator yields is stored, weeks closed, alerts evaluated."""

from __future__ import annotations

from jisr.demo import ALERT_WEEKS, load_demo
from libs.reference import load_reference
from services.incidents import demo_data
from services.incidents.domain.weeks import WEEK


async def test_demo_data_is_stored_once_with_closed_weeks(platform):
    await platform.migrate("incidents")
    reference = load_reference()
    plan = demo_data.plan(reference, seed=7)
    expected = sum(1 for _ in demo_data.generate(reference, plan, scale=0.05, seed=7))

    summary = await load_demo(platform.settings, scale=0.05, progress=lambda _: None)

    assert summary.incidents == expected > 0
    assert await platform.scalar("incidents", "SELECT count(*) FROM incidents") == expected
    assert summary.periods_closed == len(reference.stations) * plan.weeks
    closed = await platform.scalar("incidents", "SELECT sum(incident_count) FROM station_periods")
    assert closed == expected  # every demo incident falls in a closed week
    staged = await platform.scalar("incidents", "SELECT count(*) FROM outbox")
    assert staged == expected + summary.alerts_raised + await platform.scalar(
        "incidents", "SELECT count(*) FROM alerts WHERE status = 'cleared'"
    )

    # every injected rise in the evaluated weeks raised an alert for its district and category
    first_evaluated = plan.start + WEEK * (plan.weeks - ALERT_WEEKS)
    rises = {(r.district_code, r.iccs_code) for r in plan.rises if r.week_start >= first_evaluated}
    assert rises  # the plan puts rises inside the window, or this test proves nothing
    alerted = await platform.sql("incidents", "SELECT DISTINCT area_id, iccs_code FROM alerts")
    assert rises <= {(r["area_id"], r["iccs_code"]) for r in alerted}
    assert not [r for r in alerted if r["area_id"] in plan.quiet_districts]

    again = await load_demo(platform.settings, scale=0.05, progress=lambda _: None)
    assert again.skipped and again.incidents == 0
