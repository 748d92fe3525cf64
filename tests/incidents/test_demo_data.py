"""The synthetic incident generator: plan, determinism, streaming and the realism it promises."""

from __future__ import annotations

import dataclasses
import math
import tracemalloc
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import islice

import numpy as np
import pytest

from libs.reference import load_reference
from libs.reference.model import IccsCategory
from services.incidents.demo_data import DemoIncident, generate, plan

END = date(2026, 11, 16)  # a Monday: fixed, so the data do not depend on today's date


@pytest.fixture(scope="module")
def ref():
    return load_reference()


@pytest.fixture(scope="module")
def demo_plan(ref):
    return plan(ref, end=END)


@pytest.fixture(scope="module")
def demo_incidents(ref, demo_plan) -> list[DemoIncident]:
    return list(generate(ref, demo_plan))


def week_of(incident: DemoIncident, start: date) -> int:
    return (incident.occurred_at.date() - start).days // 7


# --- the plan ---------------------------------------------------------------------------------


def test_plan_covers_whole_weeks_ending_before_end(ref, demo_plan):
    assert demo_plan.weeks == 156
    assert demo_plan.start.weekday() == 0
    assert demo_plan.start + timedelta(weeks=156) == END
    assert plan(ref, end=END + timedelta(days=3)) == demo_plan  # rounds down to its Monday


def test_default_end_is_this_weeks_monday(ref):
    today = datetime.now(UTC).date()
    default = plan(ref, weeks=2)
    assert default.start + timedelta(weeks=2) == today - timedelta(days=today.weekday())


def test_plan_rises_are_multi_week_episodes_in_the_last_year(ref, demo_plan):
    episodes = defaultdict(list)
    for rise in demo_plan.rises:
        episodes[(rise.district_code, rise.iccs_code)].append(rise.week_start)
    assert 4 <= len(episodes) <= 6
    assert len({district for district, _ in episodes}) == len(episodes)  # distinct districts
    last_year = END - timedelta(weeks=52)
    for (district, code), weeks in episodes.items():
        assert 2 <= len(weeks) <= 4
        assert all(b - a == timedelta(weeks=1) for a, b in zip(weeks, weeks[1:], strict=False))
        assert min(weeks) >= last_year and max(weeks) < END
        assert ref.iccs[code].level == 2
        assert district not in demo_plan.quiet_districts
    assert all(rise.extra >= 6 for rise in demo_plan.rises)


def test_quiet_district_is_the_smallest(ref, demo_plan):
    [quiet] = demo_plan.quiet_districts
    assert ref.districts[quiet].population == min(d.population for d in ref.districts.values())


def test_plan_is_deterministic_for_a_seed(ref, demo_plan):
    assert plan(ref, end=END, seed=7) == demo_plan
    assert plan(ref, end=END, seed=8).rises != demo_plan.rises


# --- the incidents ----------------------------------------------------------------------------


def test_volume_at_scale_one(demo_incidents):
    """About 25,000 a year nationally: 73,451 over 3 years for seed 7."""
    assert 50_000 <= len(demo_incidents) <= 100_000
    assert len(demo_incidents) == 73_451


def test_every_incident_is_a_valid_submission(ref, demo_plan, demo_incidents):
    start = datetime.combine(demo_plan.start, datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(END, datetime.min.time(), tzinfo=UTC)
    refs = Counter((i.station_id, i.source_ref) for i in demo_incidents)
    assert max(refs.values()) == 1  # source_ref unique per station
    for incident in demo_incidents:
        assert incident.station_id in ref.stations
        assert 1 <= len(incident.iccs_codes) <= 3
        assert len(set(incident.iccs_codes)) == len(incident.iccs_codes)
        assert all(ref.iccs[code].level == 2 for code in incident.iccs_codes)
        assert incident.occurred_at.utcoffset() == timedelta(0)
        assert start <= incident.occurred_at < end
        assert len(incident.source_ref) <= 64
    times = [i.occurred_at for i in demo_incidents]
    assert times == sorted(times)


def test_category_mix(demo_incidents):
    principal = Counter(i.iccs_codes[0] for i in demo_incidents)
    total = sum(principal.values())
    assert principal.most_common(1)[0][0] == "0502"  # theft
    common = sum(principal[c] for c in ("0502", "0201", "0501", "0701", "0601"))
    assert common / total > 0.6
    assert 0 < principal["0101"] / total < 0.005  # homicide: rare but present
    offences = Counter(len(i.iccs_codes) for i in demo_incidents)
    assert 0.1 < (offences[2] + offences[3]) / total < 0.2
    assert 0.01 < sum(i.attempted for i in demo_incidents) / total < 0.1


def test_summer_peak_for_theft_and_none_for_fraud(demo_incidents):
    def summer_winter_ratio(code: str) -> float:
        by_season = Counter()
        for incident in demo_incidents:
            if incident.iccs_codes[0] == code:
                week = incident.occurred_at.isocalendar().week
                by_season["summer"] += 26 <= week <= 34
                by_season["winter"] += week <= 4 or week >= 48
        return by_season["summer"] / by_season["winter"]  # 9 weeks against 9 (or 10)

    assert summer_winter_ratio("0502") > 1.3
    assert 0.85 < summer_winter_ratio("0701") < 1.15


def test_counts_follow_population_and_stations_differ(ref, demo_plan, demo_incidents):
    per_station = Counter(i.station_id for i in demo_incidents)
    per_district = Counter(ref.stations[s].district_code for s in per_station.elements())
    normal = [d for d in ref.districts if d not in demo_plan.quiet_districts]
    population = np.log([ref.districts[d].population for d in normal])
    volume = np.log([per_district[d] for d in normal])
    assert np.corrcoef(population, volume)[0, 1] > 0.9
    stations_in = Counter(s.district_code for s in ref.stations.values())
    per_head = [
        per_station[s.id]
        / (ref.districts[s.district_code].population / stations_in[s.district_code])
        for s in ref.stations.values()
        if s.district_code not in demo_plan.quiet_districts
    ]
    assert max(per_head) / min(per_head) > 2  # some stations are much busier per head


def test_quiet_district_has_mostly_empty_weeks(ref, demo_plan, demo_incidents):
    [quiet] = demo_plan.quiet_districts
    weeks = Counter(
        week_of(i, demo_plan.start)
        for i in demo_incidents
        if ref.stations[i.station_id].district_code == quiet
    )
    empty = demo_plan.weeks - len(weeks)
    assert empty / demo_plan.weeks > 0.7


def test_rise_weeks_hold_their_extra_incidents(ref, demo_plan, demo_incidents):
    counts = Counter(
        (ref.stations[i.station_id].district_code, code, week_of(i, demo_plan.start))
        for i in demo_incidents
        for code in i.iccs_codes
    )
    for rise in demo_plan.rises:
        week = (rise.week_start - demo_plan.start).days // 7
        usual = np.median(
            [counts[(rise.district_code, rise.iccs_code, w)] for w in range(week - 30, week - 4)]
        )
        assert counts[(rise.district_code, rise.iccs_code, week)] >= rise.extra
        assert counts[(rise.district_code, rise.iccs_code, week)] >= 2 * usual + 6


def test_deterministic_for_a_seed_and_scale(ref):
    short = plan(ref, weeks=8, end=END)
    first = list(generate(ref, short, scale=0.5, seed=3))
    assert first == list(generate(ref, short, scale=0.5, seed=3))
    assert first != list(generate(ref, short, scale=0.5, seed=4))


def test_scale_multiplies_volume(ref):
    short = plan(ref, weeks=20, end=END)
    full = sum(1 for _ in generate(ref, short))
    half = sum(1 for _ in generate(ref, short, scale=0.5))
    assert half / full == pytest.approx(0.5, abs=0.05)


def test_streams_with_bounded_memory(ref):
    """A 30-week run (about 14,000 demo_incidents) never holds more than a week in memory."""
    long = plan(ref, weeks=30, end=END)
    stream = generate(ref, long)
    assert next(stream) is not None  # a generator: the first incident comes at once
    tracemalloc.start()
    try:
        consumed = sum(1 for _ in stream)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert consumed > 10_000
    assert peak < 1_500_000  # bytes; the demo_incidents themselves would take several MB


def test_another_countrys_taxonomy_gets_its_own_codes(ref):
    iccs = {
        "91": IccsCategory("91", 1, None, "Section", "قسم"),
        "9101": IccsCategory("9101", 2, "91", "Division one", "فرع ١"),
        "9102": IccsCategory("9102", 2, "91", "Division two", "فرع ٢"),
    }
    other = dataclasses.replace(ref, iccs=iccs)
    codes = Counter(
        code
        for incident in islice(generate(other, plan(other, weeks=4, end=END)), 500)
        for code in incident.iccs_codes
    )
    assert set(codes) == {"9101", "9102"}


def test_invalid_arguments_name_the_field(ref, demo_plan):
    with pytest.raises(ValueError, match="weeks: must be at least 1"):
        plan(ref, weeks=0)
    with pytest.raises(ValueError, match="scale: must be a positive number"):
        next(generate(ref, demo_plan, scale=0))
    with pytest.raises(ValueError, match="scale: must be a positive number"):
        next(generate(ref, demo_plan, scale=math.nan))
