"""Deterministic synthetic incidents for demos and tests (`jisr up --demo`): DEMO DATA, not
real crime. Pure: takes the reference set, yields incidents; storing them is the caller's job.

What makes the data worth looking at (so baselines and alerts mean something on day one):
- volume: about 260 recorded incidents per 100,000 people a year, split over a district's
  stations by population; at scale=1.0 the Jordan reference gives 73,451 incidents over the
  default 156 weeks (seed 7), about 24,500 a year, generated in about 1.5 s;
- station differences: each station has a fixed busyness factor (log-normal, mean 1, sd of the
  log 0.35), so some stations are several times busier per head than others;
- seasonality: theft, assault, burglary, robbery, damage and other street crime peak in late
  July (ISO week 30), up to +25%; fraud, drugs and cyber offences have no season;
- a slow trend (+3% a year) and extra week-to-week variation (a gamma factor per station-week,
  coefficient of variation 0.2), so counts are overdispersed as real counts are;
- a category mix over ICCS divisions (level 2) taken from the reference: theft, assault,
  burglary, drugs and fraud are common, homicide is rare; 15% of incidents carry a second or
  third offence; some property offences are attempts;
- quiet districts (`DemoPlan.quiet_districts`, the smallest by population) at a tenth of the
  normal rate: mostly weeks with no incident at all;
- injected rises (`DemoPlan.rises`): 5 episodes of 2-4 consecutive weeks in the last year, each
  in one district and one common category, `extra` incidents a week on top of the usual count
  (6 + rate + 4 * sqrt(rate), rate = that district-category's expected weekly count: a clear
  rise at any district size). `extra` is absolute: it does not change with `scale`.
- victims and domestic violence (drawn from their own random stream, so every other figure
  above stays as it was): a share of the violent offences is domestic (`DOMESTIC_SHARE`: a
  quarter of assaults, 40% of sexual violence, ...), domestic incidents' victims are mostly
  women and girls and their offender a man; crimes against the person have one or two victims,
  a third of property crimes one; victims carry a sex and an age band, never more.

Weeks are UTC Monday-to-Sunday weeks, as the baselines count them. Times of day follow a local
(UTC+3, Jordan's time all year since 2022) profile busiest in the evening; each incident stays
inside the UTC week it was drawn for, so the plan's week of every injected rise holds exactly.
Deterministic for (reference, plan, scale, seed); streaming: one week is held at a time.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np

from libs.reference.model import Reference

INCIDENTS_PER_100K_PER_YEAR = 260.0
YEARLY_GROWTH = 0.03
STATION_LOG_SD = 0.35
WEEKLY_NOISE_SHAPE = 25.0  # gamma shape: coefficient of variation 1/sqrt(25) = 0.2
SUMMER_PEAK_ISO_WEEK = 30
QUIET_DISTRICTS = 1
QUIET_FACTOR = 0.1
RISE_EPISODES = 5
RISE_WEEKS = (2, 4)  # shortest and longest episode
RISE_COMMON_CODES = ("0502", "0201", "0501", "0701", "0601")  # theft, assault, burglary, ...
LOCAL_UTC_OFFSET_HOURS = 3
SECOND_OFFENCE = 0.12  # share of incidents with exactly two offences
THIRD_OFFENCE = 0.03  # ... and with three

# (ICCS division, share of incidents, seasonal amplitude)
CATEGORY_MIX: tuple[tuple[str, float, float], ...] = (
    ("0502", 0.28, 0.25),  # theft
    ("0201", 0.20, 0.20),  # assaults and threats
    ("0501", 0.09, 0.20),  # burglary
    ("0601", 0.09, 0.0),  # controlled drugs
    ("0701", 0.08, 0.0),  # fraud
    ("0504", 0.05, 0.15),  # property damage
    ("0209", 0.04, 0.0),  # defamation or insult
    ("0903", 0.03, 0.0),  # acts against computer systems
    ("0401", 0.025, 0.15),  # robbery
    ("0702", 0.02, 0.0),  # forgery/counterfeiting
    ("0901", 0.02, 0.10),  # weapons
    ("0801", 0.02, 0.15),  # public order behavioural standards
    ("0207", 0.02, 0.10),  # dangerous acts
    ("0301", 0.012, 0.10),  # sexual violence
    ("0202", 0.008, 0.0),  # acts against liberty
    ("0103", 0.004, 0.0),  # non-intentional homicide
    ("0102", 0.004, 0.0),  # attempted intentional homicide
    ("0101", 0.003, 0.0),  # intentional homicide
)
ATTEMPT_SHARE = {"0501": 0.12, "0502": 0.06, "0401": 0.15, "0701": 0.10}
# Relative frequency by local hour 0..23: quiet before dawn, busiest in the evening.
HOUR_PROFILE = (
    4, 3, 2, 2, 1, 1, 2, 3, 4, 5, 5, 6, 6, 6, 6, 6, 7, 8, 9, 9, 9, 8, 7, 5,
)  # fmt: skip

_PLAN_STREAM = 1_000_001  # seeds for draws that are not per week
_STATION_STREAM = 1_000_002
_PEOPLE_STREAM = 1_000_003  # victims and domestic flags, per week

# Share of incidents whose principal offence is domestic, by ICCS division (others: none).
DOMESTIC_SHARE = {"0201": 0.25, "0301": 0.40, "0202": 0.30, "0209": 0.15, "0101": 0.15}
PERSON_SECTIONS = ("01", "02", "03", "04")  # crimes against the person: always a victim
PROPERTY_VICTIM_SHARE = 0.33
AGE_BANDS = ("0-11", "12-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+", "unknown")
AGE_WEIGHTS = (0.05, 0.08, 0.18, 0.24, 0.18, 0.11, 0.07, 0.04, 0.05)
# P(female) of a victim: domestic, other crimes against the person, property crimes
FEMALE_SHARE = {"domestic": 0.82, "person": 0.35, "property": 0.40}


@dataclass(frozen=True)
class DemoIncident:
    station_id: str
    source_ref: str
    occurred_at: datetime  # aware UTC
    iccs_codes: tuple[str, ...]  # 1..3 level-2 ICCS codes, the first is the principal offence
    attempted: bool
    domestic: bool = False  # the principal offence is domestic
    victims: tuple[tuple[str, str], ...] = ()  # (sex, age band) per victim
    offenders: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class InjectedRise:
    district_code: str
    iccs_code: str  # level 2
    week_start: date
    extra: int


@dataclass(frozen=True)
class DemoPlan:
    """What generate() will produce, known up front (for tests and docs)."""

    start: date  # a Monday
    weeks: int
    rises: tuple[InjectedRise, ...]
    quiet_districts: tuple[str, ...]  # districts with mostly zero counts


@dataclass(frozen=True)
class _Mix:
    codes: tuple[str, ...]
    shares: np.ndarray
    amplitudes: np.ndarray
    attempt: np.ndarray


def plan(
    reference: Reference, *, weeks: int = 156, end: date | None = None, seed: int = 7
) -> DemoPlan:
    """The weeks [end - weeks, end) (`end` rounds down to its Monday; default: the Monday of the
    current UTC week, so every incident is in the past), quiet districts and injected rises."""
    if weeks < 1:
        raise ValueError(f"weeks: must be at least 1, got {weeks}")
    end = _monday(end or datetime.now(UTC).date())
    start = end - timedelta(weeks=weeks)
    mix = _category_mix(reference)
    stationed = sorted({s.district_code for s in reference.stations.values()})
    by_size = sorted(stationed, key=lambda code: (reference.districts[code].population, code))
    quiet = tuple(by_size[:QUIET_DISTRICTS])
    rises = _rises(reference, mix, [d for d in stationed if d not in quiet], start, weeks, seed)
    return DemoPlan(start=start, weeks=weeks, rises=rises, quiet_districts=quiet)


def generate(
    reference: Reference, demo_plan: DemoPlan, *, scale: float = 1.0, seed: int = 7
) -> Iterator[DemoIncident]:
    """The plan's incidents, week by week in time order; `scale` multiplies the usual volume."""
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale: must be a positive number, got {scale!r}")
    mix = _category_mix(reference)
    stations = sorted(reference.stations.values(), key=lambda s: s.id)
    busyness = _station_busyness(len(stations), seed)
    base = _station_rates(reference, stations, busyness, demo_plan) * scale
    rises: dict[date, list[InjectedRise]] = defaultdict(list)
    for rise in demo_plan.rises:
        rises[rise.week_start].append(rise)
    for index in range(demo_plan.weeks):
        week = demo_plan.start + timedelta(weeks=index)
        yield from _week(stations, busyness, base, mix, week, index, rises[week], seed)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _category_mix(reference: Reference) -> _Mix:
    """CATEGORY_MIX restricted to divisions the reference knows; a reference without any of
    them (another country's taxonomy) gets every level-2 code with equal shares."""
    known = [(c, s, a) for c, s, a in CATEGORY_MIX if _is_division(reference, c)]
    if not known:
        known = [(c.code, 1.0, 0.0) for c in reference.iccs.values() if c.level == 2]
    if not known:
        raise ValueError("reference: has no level-2 ICCS categories to generate incidents in")
    codes = tuple(c for c, _, _ in known)
    shares = np.array([s for _, s, _ in known])
    return _Mix(
        codes=codes,
        shares=shares / shares.sum(),
        amplitudes=np.array([a for _, _, a in known]),
        attempt=np.array([ATTEMPT_SHARE.get(c, 0.0) for c in codes]),
    )


def _is_division(reference: Reference, code: str) -> bool:
    category = reference.iccs.get(code)
    return category is not None and category.level == 2


def _seasonality(mix: _Mix, week: date) -> np.ndarray:
    phase = 2 * math.pi * (week.isocalendar().week - SUMMER_PEAK_ISO_WEEK) / 52
    return 1 + mix.amplitudes * math.cos(phase)


def _growth(index: int) -> float:
    return (1 + YEARLY_GROWTH) ** (index / 52)


def _district_weekly_rate(reference: Reference, district: str) -> float:
    return reference.districts[district].population / 1e5 * INCIDENTS_PER_100K_PER_YEAR / 52


def _rises(
    reference: Reference,
    mix: _Mix,
    candidates: list[str],
    start: date,
    weeks: int,
    seed: int,
) -> tuple[InjectedRise, ...]:
    """Episodes in distinct districts, in the last year, each in one common category."""
    common = [c for c in RISE_COMMON_CODES if c in mix.codes] or list(mix.codes[:1])
    episodes = min(RISE_EPISODES, len(candidates))
    if weeks < RISE_WEEKS[1] or not episodes:
        return ()
    rng = np.random.default_rng([seed, _PLAN_STREAM])
    districts = rng.choice(len(candidates), size=episodes, replace=False)
    rises = []
    for n, district_index in enumerate(districts):
        district = candidates[int(district_index)]
        code = common[n % len(common)]
        length = int(rng.integers(RISE_WEEKS[0], RISE_WEEKS[1] + 1))
        first = int(rng.integers(max(0, weeks - 52), weeks - length + 1))
        column = mix.codes.index(code)
        for index in range(first, first + length):
            week = start + timedelta(weeks=index)
            rate = (
                _district_weekly_rate(reference, district)
                * mix.shares[column]
                * _seasonality(mix, week)[column]
                * _growth(index)
            )
            extra = math.ceil(6 + rate + 4 * math.sqrt(rate))
            rises.append(InjectedRise(district, code, week, extra))
    return tuple(sorted(rises, key=lambda r: (r.week_start, r.district_code)))


def _station_busyness(count: int, seed: int) -> np.ndarray:
    """Log-normal factors with mean 1: differences between stations, not more crime overall."""
    rng = np.random.default_rng([seed, _STATION_STREAM])
    return rng.lognormal(-(STATION_LOG_SD**2) / 2, STATION_LOG_SD, size=count)


def _station_rates(
    reference: Reference, stations: list, busyness: np.ndarray, demo_plan: DemoPlan
) -> np.ndarray:
    """Expected incidents per station and week before season, trend and noise (all categories);
    a district's people are split evenly between its stations."""
    per_district = Counter(s.district_code for s in stations)
    quiet = set(demo_plan.quiet_districts)
    return np.array(
        [
            _district_weekly_rate(reference, s.district_code)
            / per_district[s.district_code]
            * busyness[i]
            * (QUIET_FACTOR if s.district_code in quiet else 1.0)
            for i, s in enumerate(stations)
        ]
    )


def _week(
    stations: list,
    busyness: np.ndarray,
    base: np.ndarray,
    mix: _Mix,
    week: date,
    index: int,
    rises: list[InjectedRise],
    seed: int,
) -> Iterator[DemoIncident]:
    rng = np.random.default_rng([seed, index])
    noise = rng.gamma(WEEKLY_NOISE_SHAPE, 1 / WEEKLY_NOISE_SHAPE, size=len(stations))
    rates = (base * noise * _growth(index))[:, None] * (mix.shares * _seasonality(mix, week))
    counts = rng.poisson(rates)
    station_of, category_of = np.nonzero(counts)
    repeats = counts[station_of, category_of]
    station_idx = list(np.repeat(station_of, repeats))
    principal: list[Any] = list(np.repeat(category_of, repeats))
    n_background = len(station_idx)
    for rise in rises:
        own = [i for i, s in enumerate(stations) if s.district_code == rise.district_code]
        weights = busyness[own] / busyness[own].sum()
        station_idx += list(rng.choice(own, size=rise.extra, p=weights))
        principal += [mix.codes.index(rise.iccs_code)] * rise.extra
    total = len(station_idx)
    day = rng.integers(0, 7, size=total)
    hour = rng.choice(24, size=total, p=np.array(HOUR_PROFILE) / sum(HOUR_PROFILE))
    minute = rng.integers(0, 60, size=total)
    draw = rng.random(size=total)
    # rise incidents are plain single offences, so the rise is exactly where the plan says
    background = np.arange(total) < n_background
    offences = 1 + background * ((draw < SECOND_OFFENCE + THIRD_OFFENCE) + (draw < THIRD_OFFENCE))
    attempted = background & (rng.random(size=total) < mix.attempt[principal])
    order = np.lexsort((minute, (hour - LOCAL_UTC_OFFSET_HOURS) % 24, day))
    columns = zip(
        *(np.asarray(a)[order].tolist() for a in (station_idx, principal, day, hour, minute)),
        offences[order].tolist(),
        attempted[order].tolist(),
        strict=True,
    )
    sequence: Counter[int] = Counter()
    people = np.random.default_rng([seed, index, _PEOPLE_STREAM])
    for station, category, weekday, local_hour, minute_, count, attempt in columns:
        sequence[station] += 1
        code = mix.codes[category]
        domestic = bool(people.random() < DOMESTIC_SHARE.get(code, 0.0))
        victims, offenders = _people(people, code, domestic)
        yield DemoIncident(
            station_id=stations[station].id,
            source_ref=f"DEMO{seed}-{week:%Y%m%d}-{sequence[station]:04d}",
            occurred_at=_utc_time(week, weekday, local_hour, minute_),
            iccs_codes=_codes(rng, mix, category, count),
            attempted=attempt,
            domestic=domestic,
            victims=victims,
            offenders=offenders,
        )


def _people(
    rng: np.random.Generator, code: str, domestic: bool
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """Victims and offenders of an incident of principal offence `code`: (sex, age band)."""
    person = code[:2] in PERSON_SECTIONS
    if not person and rng.random() >= PROPERTY_VICTIM_SHARE:
        return (), ()
    kind = "domestic" if domestic else "person" if person else "property"
    n = 1 + int(person and rng.random() < 0.15)
    victims = tuple(
        (
            "female" if rng.random() < FEMALE_SHARE[kind] else "male",
            AGE_BANDS[int(rng.choice(len(AGE_BANDS), p=AGE_WEIGHTS))],
        )
        for _ in range(n)
    )
    offenders = (("male", "35-44"),) if domestic else ()
    return victims, offenders


def _utc_time(week: date, day: int, local_hour: int, minute: int) -> datetime:
    """A time on UTC day `day` of the week whose local (UTC+3) hour of day is `local_hour`."""
    hour = (local_hour - LOCAL_UTC_OFFSET_HOURS) % 24
    return datetime.combine(week + timedelta(days=day), time(hour, minute), tzinfo=UTC)


def _codes(rng: np.random.Generator, mix: _Mix, principal: int, offences: int) -> tuple[str, ...]:
    """The principal offence and up to two other, different, divisions drawn from the mix."""
    if offences == 1 or len(mix.codes) == 1:
        return (mix.codes[principal],)
    others = np.delete(np.arange(len(mix.codes)), principal)
    weights = mix.shares[others] / mix.shares[others].sum()
    extra = rng.choice(others, size=min(offences - 1, len(others)), replace=False, p=weights)
    return (mix.codes[principal], *(mix.codes[int(e)] for e in extra))
