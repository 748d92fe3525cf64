"""Alarms on the synthetic national data set: 3 years, every district, every ICCS division that
occurs; weekly counts per district x division, an incident counting once in each division it
holds (as the baselines count). The default method must alarm on every injected rise-week and
never in the quiet district, with few alarms elsewhere."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

import numpy as np
import pytest

from libs.reference import load_reference
from services.incidents.demo_data import DemoPlan, generate, plan
from services.incidents.domain.baseline_methods import DEFAULT_METHOD, MIN_HISTORY, estimate_many

END = date(2026, 11, 16)
MAX_FALSE_ALARM_RATE = 0.01  # alpha = 0.01 and the minimum-count rule keep it well below


@dataclass(frozen=True)
class Evaluated:
    demo_plan: DemoPlan
    alarms: set[tuple[str, str, int]]  # (district, division, week index)
    cells: int  # district-division-weeks evaluated
    seconds: float


@pytest.fixture(scope="module")
def evaluated() -> Evaluated:
    started = time.perf_counter()
    reference = load_reference()
    demo_plan = plan(reference, end=END)
    districts = sorted(reference.districts)
    codes = sorted(c.code for c in reference.iccs.values() if c.level == 2)
    district_at = {d: i for i, d in enumerate(districts)}
    code_at = {c: i for i, c in enumerate(codes)}
    counts = np.zeros((len(districts), len(codes), demo_plan.weeks), dtype=np.int64)
    for incident in generate(reference, demo_plan):
        week = (incident.occurred_at.date() - demo_plan.start).days // 7
        district = district_at[reference.stations[incident.station_id].district_code]
        for code in set(incident.iccs_codes):
            counts[district, code_at[code], week] += 1
    present = [i for i, code in enumerate(codes) if counts[:, i, :].sum() > 0]
    series = counts[:, present, :].reshape(-1, demo_plan.weeks)
    keys = [(d, codes[c]) for d in districts for c in present]
    alarms = set()
    cells = 0
    for week in range(MIN_HISTORY[DEFAULT_METHOD], demo_plan.weeks):
        estimates = estimate_many(series, week, DEFAULT_METHOD)
        cells += len(estimates)
        alarms |= {(*key, week) for key, e in zip(keys, estimates, strict=True) if e.alarm}
    return Evaluated(demo_plan, alarms, cells, time.perf_counter() - started)


def rise_cells(demo_plan: DemoPlan) -> set[tuple[str, str, int]]:
    return {
        (r.district_code, r.iccs_code, (r.week_start - demo_plan.start).days // 7)
        for r in demo_plan.rises
    }


def test_alarms_fire_on_every_injected_rise_week(evaluated):
    rises = rise_cells(evaluated.demo_plan)
    assert len(rises) >= 10
    assert rises <= evaluated.alarms, sorted(rises - evaluated.alarms)


def test_quiet_district_raises_no_alarm(evaluated):
    quiet = set(evaluated.demo_plan.quiet_districts)
    assert quiet
    assert not {cell for cell in evaluated.alarms if cell[0] in quiet}


def test_false_alarm_rate_outside_rises_is_modest(evaluated):
    rises = rise_cells(evaluated.demo_plan)
    false_alarms = evaluated.alarms - rises
    rate = len(false_alarms) / (evaluated.cells - len(rises))
    print(
        f"\nfalse alarms: {len(false_alarms)} of {evaluated.cells - len(rises)} "
        f"district-division-weeks ({rate:.2%}); evaluated in {evaluated.seconds:.1f} s"
    )
    assert rate < MAX_FALSE_ALARM_RATE


def test_runs_fast_enough_for_the_suite(evaluated):
    assert evaluated.seconds < 30
