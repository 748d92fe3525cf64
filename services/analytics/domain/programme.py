"""Programme work as the ministry and a donor read it: outreach and trainings with their
participants by gender and audience and their beneficiaries; forum membership by group and
gender against the one-third women's target; safety-plan indicators (baseline, target, the
latest value, fora's status, the trend); SARA cases by stage and problem type, and their
assessments (WDD, E-test). Pure: rows in, figures out."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from libs.reference import Reference

from . import figures
from .areas import rows_per_child
from .engagement import WOMEN_TARGET
from .periods import bucket_of, periods
from .scope import Filters

#: Activity kinds counted as trainings (the activity_kinds vocabulary); every other kind is
#: outreach. A country adding a training kind adds it here.
TRAINING_KINDS = frozenset({"training"})
#: The origin an activity is reported under when no forum ran it, and when its forum's origin
#: was not recorded (fora's own words: services/fora/domain/outreach.py).
NO_FORUM = "no_forum"
UNKNOWN_ORIGIN = "unknown"
#: fora's SARA stages, in order, and the indicator statuses its plans domain computes.
STAGES = ("scanning", "analysis", "response", "assessment", "closed")
STATUSES = ("achieved", "on_track", "behind", "no_data")
NO_CATEGORY = "no_category"  # a SARA case not tied to an ICCS category
GENDERS = ("female", "male", "unknown")
#: Bounds of the lists a view returns (the tables behind them are bounded by the filters).
MAX_FORA = 50
MAX_INDICATORS = 200
MAX_TREND = 12  # values per indicator
MAX_ASSESSMENTS = 100


def period_start(period: str) -> date:
    """The first day of a plan period, YYYY-Qn or YYYY-MM."""
    year, part = period.split("-")
    month = (int(part[1]) - 1) * 3 + 1 if part.startswith("Q") else int(part)
    return date(int(year), month, 1)


def gender_counts(rows: Iterable[tuple[str, int]]) -> dict[str, int]:
    """women, men and gender_unknown of an activity's participants_by_gender."""
    counts: Counter[str] = Counter()
    for gender, count in rows:
        counts[gender] += count
    return {"women": counts["female"], "men": counts["male"], "gender_unknown": counts["unknown"]}


def origin_of(forum_id: object | None, origin: str | None) -> str:
    if forum_id is None:
        return NO_FORUM
    return origin or UNKNOWN_ORIGIN


# --- outreach and trainings ------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    forum_id: object | None
    forum_type: str | None
    area: str  # the area at the breakdown level it counts in
    origin: str  # a forum_origins code, NO_FORUM or UNKNOWN_ORIGIN
    kind: str
    audience: str
    held_on: date
    participants: int
    women: int
    men: int
    gender_unknown: int
    direct: int
    indirect: int

    @property
    def training(self) -> bool:
        return self.kind in TRAINING_KINDS


def activity_figures(activities: Sequence[Activity]) -> dict[str, Any]:
    participants = sum(a.participants for a in activities)
    women = sum(a.women for a in activities)
    return {
        "activities": len(activities),
        "trainings": sum(1 for a in activities if a.training),
        "outreach_activities": sum(1 for a in activities if not a.training),
        "participants": participants,
        "women_participants": women,
        "men_participants": sum(a.men for a in activities),
        "women_participant_share": figures.share(women, participants),
        "direct_beneficiaries": sum(a.direct for a in activities),
        "indirect_beneficiaries": sum(a.indirect for a in activities),
    }


def _grouped(
    activities: Sequence[Activity], key: Callable[[Activity], str], name: str
) -> list[dict[str, Any]]:
    groups: dict[str, list[Activity]] = defaultdict(list)
    for a in activities:
        groups[key(a)].append(a)
    return [{name: k} | activity_figures(groups[k]) for k in sorted(groups)]


def by_gender(activities: Sequence[Activity]) -> list[dict[str, Any]]:
    """Participants by gender, in trainings and in outreach."""
    out = []
    for gender, field in zip(GENDERS, ("women", "men", "gender_unknown"), strict=True):
        trainings = sum(getattr(a, field) for a in activities if a.training)
        outreach = sum(getattr(a, field) for a in activities if not a.training)
        out.append(
            {
                "gender": gender,
                "participants": trainings + outreach,
                "training_participants": trainings,
                "outreach_participants": outreach,
            }
        )
    return out


def by_forum(activities: Sequence[Activity]) -> tuple[list[dict[str, Any]], int]:
    """The fora that ran the most activities (at most MAX_FORA), and how many fora ran any."""
    groups: dict[object, list[Activity]] = defaultdict(list)
    for a in activities:
        if a.forum_id is not None:
            groups[a.forum_id].append(a)
    rows = [
        {
            "forum_id": str(forum_id),
            "forum_type": acts[0].forum_type,
            "area": acts[0].area,
            "origin": acts[0].origin,
        }
        | activity_figures(acts)
        for forum_id, acts in groups.items()
    ]
    rows.sort(key=lambda r: (-r["activities"], -r["participants"], r["forum_id"]))
    return rows[:MAX_FORA], len(rows)


def outreach_over_time(filters: Filters, activities: Sequence[Activity]) -> list[dict[str, Any]]:
    unit, buckets = periods(filters)
    grouped: dict[str, list[Activity]] = defaultdict(list)
    for a in activities:
        grouped[bucket_of(a.held_on, unit)].append(a)
    out = []
    for p in buckets:
        figs = activity_figures(grouped.get(p, []))
        out.append(
            {
                "period": p,
                "activities": figs["activities"],
                "trainings": figs["trainings"],
                "participants": figs["participants"],
                "direct_beneficiaries": figs["direct_beneficiaries"],
            }
        )
    return out


def outreach_tables(
    reference: Reference, filters: Filters, level: str, activities: Sequence[Activity]
) -> dict[str, list[dict[str, Any]]]:
    in_area: dict[str, list[Activity]] = defaultdict(list)
    for a in activities:
        in_area[a.area].append(a)
    fora, _ = by_forum(activities)
    return {
        "by_area": rows_per_child(
            reference,
            filters.area,
            level,
            set(in_area),
            lambda k: activity_figures(in_area.get(k, [])),
        ),
        "by_kind": _grouped(activities, lambda a: a.kind, "kind"),
        "by_audience": _grouped(activities, lambda a: a.audience, "audience"),
        "by_gender": by_gender(activities),
        "by_origin": _grouped(activities, lambda a: a.origin, "origin"),
        "trainings_by_audience": _grouped(
            [a for a in activities if a.training], lambda a: a.audience, "audience"
        ),
        "by_forum": fora,
        "over_time": outreach_over_time(filters, activities),
    }


# --- membership ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Membership:
    """A forum's latest membership count as of the period's end."""

    forum_id: object
    forum_type: str
    area: str
    members: int
    cells: tuple[tuple[str, str, int], ...]  # (group, gender, members)

    def of_gender(self, gender: str) -> int:
        return sum(n for _, g, n in self.cells if g == gender)


def meets_target(women: int, members: int) -> bool | None:
    if not members:
        return None
    return women / members + 1e-9 >= WOMEN_TARGET


def _met(met: bool | None) -> str | None:
    return None if met is None else ("met" if met else "below_target")


def membership_figures(counts: Sequence[Membership]) -> dict[str, Any]:
    members = sum(m.members for m in counts)
    women = sum(m.of_gender("female") for m in counts)
    return {
        "fora_counted": len(counts),
        "members": members,
        "women_members": women,
        "men_members": sum(m.of_gender("male") for m in counts),
        "women_member_share": figures.share(women, members),
        "fora_meeting_target": sum(
            1 for m in counts if meets_target(m.of_gender("female"), m.members)
        ),
        "women_target": round(WOMEN_TARGET, 4),
    }


def by_group(counts: Sequence[Membership]) -> list[dict[str, Any]]:
    cells: dict[str, Counter[str]] = defaultdict(Counter)
    for m in counts:
        for group, gender, n in m.cells:
            cells[group][gender] += n
    everyone = sum(m.members for m in counts)
    out = []
    for group in sorted(cells):
        total = sum(cells[group].values())
        out.append(
            {
                "group": group,
                "members": total,
                "women_members": cells[group]["female"],
                "men_members": cells[group]["male"],
                "gender_unknown": cells[group]["unknown"],
                "women_member_share": figures.share(cells[group]["female"], total),
                "share": figures.share(total, everyone),
            }
        )
    return out


def membership_tables(
    reference: Reference, filters: Filters, level: str, counts: Sequence[Membership]
) -> dict[str, list[dict[str, Any]]]:
    in_area: dict[str, list[Membership]] = defaultdict(list)
    for m in counts:
        in_area[m.area].append(m)
    fora: list[dict[str, Any]] = [
        {
            "forum_id": str(m.forum_id),
            "forum_type": m.forum_type,
            "area": m.area,
            "members": m.members,
            "women_members": m.of_gender("female"),
            "women_member_share": figures.share(m.of_gender("female"), m.members),
            "meets_target": _met(meets_target(m.of_gender("female"), m.members)),
        }
        for m in counts
    ]
    fora.sort(key=lambda r: (-r["members"], r["forum_id"]))
    return {
        "by_area": rows_per_child(
            reference,
            filters.area,
            level,
            set(in_area),
            lambda k: membership_figures(in_area.get(k, [])),
        ),
        "by_group": by_group(counts),
        "by_forum": fora[:MAX_FORA],
    }


# --- safety plans ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorValue:
    plan_id: object
    indicator_id: object
    area_id: str
    source: str
    origin: str
    measure: str | None  # the survey item or ICCS category it follows
    period: str
    period_start: date
    value: float | None
    rating: str | None
    baseline: float | None
    target: float | None
    status: str
    as_of: date | None


RATING_ORDER = {"not_started": 0, "some_progress": 1, "achieved": 2}


def _level(v: IndicatorValue) -> float | None:
    if v.source == "qualitative":
        return None if v.rating is None else float(RATING_ORDER[v.rating])
    return v.value


def trend(values: Sequence[IndicatorValue]) -> str:
    """From the last two values (oldest first): improving when the latest moved towards the
    target (away from the baseline's side), worsening when away, steady when unchanged;
    first_value with only one, no_trend when either has no value."""
    if len(values) < 2:
        return "first_value" if values and _level(values[-1]) is not None else "no_trend"
    before, now = _level(values[-2]), _level(values[-1])
    if before is None or now is None:
        return "no_trend"
    if now == before:
        return "steady"
    latest = values[-1]
    if latest.source == "qualitative":
        towards = 1.0
    elif latest.target is None or latest.baseline is None or latest.target == latest.baseline:
        return "up" if now > before else "down"
    else:
        towards = latest.target - latest.baseline
    return "improving" if (now - before) * towards > 0 else "worsening"


def plan_tables(filters: Filters, values: Sequence[IndicatorValue]) -> dict[str, Any]:
    """Each indicator with a value for a period starting in the filter's period: its latest
    such value (fora's status as computed then), and its trend over those periods."""
    series: dict[str, list[IndicatorValue]] = defaultdict(list)
    for v in sorted(values, key=lambda v: v.period_start):
        if filters.start.replace(day=1) <= v.period_start <= filters.end:
            series[str(v.indicator_id)].append(v)
    indicators: list[dict[str, Any]] = []
    trend_rows: list[dict[str, Any]] = []
    for indicator_id, vs in series.items():
        latest = vs[-1]
        indicators.append(
            {
                "plan_id": str(latest.plan_id),
                "indicator_id": indicator_id,
                "area": latest.area_id,
                "source": latest.source,
                "measure": latest.measure,
                "origin": latest.origin,
                "period": latest.period,
                "baseline": latest.baseline,
                "target": latest.target,
                "value": latest.value,
                "rating": latest.rating,
                "status": latest.status,
                "trend": trend(vs),
                "as_of": latest.as_of.isoformat() if latest.as_of else None,
                "periods": len(vs),
            }
        )
    indicators.sort(key=lambda r: (r["area"], r["plan_id"], r["source"], r["indicator_id"]))
    indicators = indicators[:MAX_INDICATORS]
    for row in indicators:
        for v in series[row["indicator_id"]][-MAX_TREND:]:
            trend_rows.append(
                {
                    "indicator_id": row["indicator_id"],
                    "area": row["area"],
                    "source": v.source,
                    "measure": v.measure,
                    "period": v.period,
                    "value": v.value,
                    "rating": v.rating,
                    "status": v.status,
                }
            )
    statuses = Counter(r["status"] for r in indicators)
    plans = {r["plan_id"] for r in indicators}
    return {
        "summary": {"plans": len(plans), "indicators": len(indicators)}
        | {f"indicators_{s}": statuses[s] for s in STATUSES},
        "indicators": indicators,
        "by_status": [{"status": s, "indicators": statuses[s]} for s in STATUSES],
        "trend": trend_rows,
    }


# --- SARA cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    case_id: object
    area: str
    iccs_code: str | None
    stage: str
    opened_at: datetime

    @property
    def problem(self) -> str:
        return self.iccs_code[:2] if self.iccs_code else NO_CATEGORY


def case_figures(cases: Sequence[Case]) -> dict[str, Any]:
    stages = Counter(c.stage for c in cases)
    return {
        "cases_opened": len(cases),
        "cases_open": sum(1 for c in cases if c.stage != "closed"),
    } | {f"stage_{s}": stages[s] for s in STAGES}


def sara_tables(
    reference: Reference,
    filters: Filters,
    level: str,
    cases: Sequence[Case],
    assessments: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    in_area: dict[str, list[Case]] = defaultdict(list)
    problems: dict[str, list[Case]] = defaultdict(list)
    for c in cases:
        in_area[c.area].append(c)
        problems[c.problem].append(c)
    stages = Counter(c.stage for c in cases)
    impacts = Counter(a["impact"] for a in assessments)
    listed = sorted(assessments, key=lambda a: (a["assessed_at"], str(a["case_id"])), reverse=True)
    return {
        "summary": case_figures(cases)
        | {
            "cases_assessed": len(assessments),
            "assessed_reduction": impacts["reduction"],
            "assessed_increase": impacts["increase"],
            "assessed_no_significant_change": impacts["no_significant_change"],
        },
        "by_stage": [{"stage": s, "cases": stages[s]} for s in STAGES],
        "by_problem": [{"iccs_code": k} | case_figures(problems[k]) for k in sorted(problems)],
        "by_area": rows_per_child(
            reference, filters.area, level, set(in_area), lambda k: case_figures(in_area.get(k, []))
        ),
        "assessments": [_assessment_row(a) for a in listed[:MAX_ASSESSMENTS]],
    }


def _assessment_row(a: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "case_id": str(a["case_id"]),
        "area": a["area_id"],
        "iccs_code": a["iccs_code"] or NO_CATEGORY,
        "comparison_area": a["comparison_area_id"],
        "assessed_on": a["assessed_at"].date().isoformat(),
        "before": f"{a['before_from'].isoformat()} – {a['before_to'].isoformat()}",
        "after": f"{a['after_from'].isoformat()} – {a['after_to'].isoformat()}",
        "treated_before": a["treated_before"],
        "treated_after": a["treated_after"],
        "comparison_before": a["comparison_before"],
        "comparison_after": a["comparison_after"],
        "wdd": a["wdd"],
        "wdd_p": a["wdd_p"],
        "etest_p": a["etest_p"],
        "impact": a["impact"],
        "displacement": a["displacement"],
        "interventions_planned": a["interventions_planned"],
        "interventions_as_planned": a["interventions_as_planned"],
    }
