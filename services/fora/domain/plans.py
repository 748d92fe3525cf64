"""Community safety plans (the outcome-based model used in Jenin): goals, outcomes, indicators,
and progress each period against each indicator's baseline and target.

An indicator's source says where its figures come from: an incidents baseline series (area and
ICCS category: the average weekly count), a perception-survey item (its positive share in the
area's published waves), both fetched, never typed in; or a number typed in by hand (manual)
or a qualitative assessment (rated not_started / some_progress / achieved by the forum),
both marked as manual. Every figure carries the day it is as of.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from libs.chassis.errors import RuleViolation

SourceKind = Literal["incidents_baseline", "survey_item", "manual", "qualitative"]
#: Sources whose figures are fetched: a value typed in for them is refused.
COMPUTED: tuple[str, ...] = ("incidents_baseline", "survey_item")
#: The default baseline window of an incidents indicator: the year before the plan.
BASELINE_WEEKS = 52
Rating = Literal["not_started", "some_progress", "achieved"]
Status = Literal["achieved", "on_track", "behind", "no_data"]


@dataclass(frozen=True)
class IndicatorProgress:
    progress: float | None  # share of the way from baseline to target
    status: Status


def elapsed_share(start: date, end: date, on: date) -> float:
    """How much of the plan period has passed on `on` (0..1)."""
    total = (end - start).days
    if total <= 0:
        return 1.0
    return min(1.0, max(0.0, (on - start).days / total))


def indicator_progress(
    kind: SourceKind,
    baseline: float | None,
    target: float | None,
    value: float | None,
    rating: Rating | None,
    elapsed: float,
) -> IndicatorProgress:
    """Numeric indicators move from baseline towards target (up or down); on track means at
    least as far along as the plan's time is; qualitative ones follow their rating."""
    if kind == "qualitative":
        if rating is None:
            return IndicatorProgress(None, "no_data")
        share = {"not_started": 0.0, "some_progress": 0.5, "achieved": 1.0}[rating]
    else:
        if value is None or baseline is None or target is None:
            return IndicatorProgress(None, "no_data")
        if target == baseline:
            share = 1.0 if value == target else 0.0
        else:
            share = (value - baseline) / (target - baseline)
    if share >= 1:
        status: Status = "achieved"
    elif share + 1e-9 >= elapsed:
        status = "on_track"
    else:
        status = "behind"
    return IndicatorProgress(round(share, 4), status)


def check_period(start: date, end: date) -> None:
    if end <= start:
        raise RuleViolation("period_end", "must be after period_start")


def indicators(goals: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """A plan's indicators by id, from its tree of goals and outcomes."""
    return {i["indicator_id"]: i for g in goals for o in g["outcomes"] for i in o["indicators"]}


def check_value(
    indicator: Mapping[str, Any] | None, index: int, value: float | None, rating: str | None
) -> None:
    """The `index`th value recorded: for an indicator of the plan, a rating if it is
    qualitative and a number otherwise."""
    if indicator is None:
        raise RuleViolation(("values", index, "indicator_id"), "not an indicator of this plan")
    kind = indicator["source"]["kind"]
    if kind in COMPUTED:
        raise RuleViolation(
            ("values", index, "value"),
            f"the indicator is computed from its {kind} source: it is not typed in",
        )
    qualitative = kind == "qualitative"
    if qualitative and rating is None or not qualitative and value is None:
        field = "rating" if qualitative else "value"
        raise RuleViolation(("values", index, field), f"required for a {kind}")


def check_indicator(path: tuple[str | int, ...], kind: str, baseline: float | None) -> None:
    if kind in COMPUTED and baseline is not None:
        raise RuleViolation((*path, "baseline"), f"computed from the {kind} source: leave it out")


def baseline_window(
    period_start: date, baseline_from: date | None, baseline_to: date | None
) -> tuple[date, date]:
    """An incidents indicator's baseline period: as given, else the 52 weeks before the plan."""
    to_date = baseline_to or period_start - timedelta(days=1)
    from_date = baseline_from or to_date - timedelta(weeks=BASELINE_WEEKS) + timedelta(days=1)
    if to_date < from_date:
        raise RuleViolation("baseline_to", "must not be before baseline_from")
    return from_date, to_date


def _weeks(series: Mapping[str, Any], from_date: date, to_date: date) -> list[tuple[date, int]]:
    """The complete weeks of a weekly series within [from_date, to_date]."""
    weeks = []
    for week in series.get("weeks", []):
        start = date.fromisoformat(str(week["week_start"])[:10])
        if start >= from_date and start + timedelta(days=6) <= to_date:
            weeks.append((start, int(week["observed"])))
    return sorted(weeks)


@dataclass(frozen=True)
class Figure:
    value: float | None
    as_of: date | None  # the last day the figure counts


def weekly_mean(series: Mapping[str, Any], from_date: date, to_date: date) -> Figure:
    """The average weekly count over the complete weeks of the period."""
    weeks = _weeks(series, from_date, to_date)
    if not weeks:
        return Figure(None, None)
    mean = sum(n for _, n in weeks) / len(weeks)
    return Figure(round(mean, 3), weeks[-1][0] + timedelta(days=6))


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarterly_trend(
    series: Mapping[str, Any], from_date: date, to_date: date
) -> list[dict[str, Any]]:
    """The average weekly count quarter by quarter (a week counts in the quarter it starts)."""
    by_quarter: dict[str, list[tuple[date, int]]] = {}
    for start, n in _weeks(series, from_date, to_date):
        by_quarter.setdefault(quarter_of(start), []).append((start, n))
    return [
        {
            "period": quarter,
            "value": round(sum(n for _, n in weeks) / len(weeks), 3),
            "as_of": (weeks[-1][0] + timedelta(days=6)).isoformat(),
        }
        for quarter, weeks in sorted(by_quarter.items())
    ]


def survey_figures(
    shares: Iterable[tuple[date, float | None]],
) -> tuple[Figure, Figure, list[dict[str, Any]]]:
    """(baseline: the first published wave with the item shown, current: the latest, trend:
    each wave) from (the day a wave closed, the item's positive share or None if hidden)."""
    shown = [(day, share) for day, share in shares if share is not None]
    if not shown:
        return Figure(None, None), Figure(None, None), []
    trend = [{"period": quarter_of(d), "value": v, "as_of": d.isoformat()} for d, v in shown]
    return Figure(shown[0][1], shown[0][0]), Figure(shown[-1][1], shown[-1][0]), trend


# --- the public page -------------------------------------------------------------------------

PAGE_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "area": "Area", "period": "Period", "elapsed": "Time elapsed", "as_of": "as of",
        "indicator": "Indicator", "baseline": "Baseline", "current": "Current",
        "target": "Target", "status": "Status", "trend": "Trend",
    },
    "ar": {
        "area": "المنطقة", "period": "الفترة", "elapsed": "الوقت المنقضي", "as_of": "حتى",
        "indicator": "المؤشر", "baseline": "خط الأساس", "current": "القيمة الحالية",
        "target": "الهدف", "status": "الحالة", "trend": "الاتجاه",
    },
}  # fmt: skip
STATUS_LABELS = {
    "achieved": ("Achieved", "تحقق"),
    "on_track": ("On track", "على المسار"),
    "behind": ("Behind", "متأخر"),
    "no_data": ("No data yet", "لا توجد بيانات بعد"),
}
SOURCE_LABELS = {
    "incidents_baseline": (
        "Recorded incidents, weekly average",
        "الحوادث المسجلة، المعدل الأسبوعي",
    ),
    "survey_item": ("Perception survey, share", "مسح التصورات، النسبة"),
    "manual": ("Reported figure", "رقم مُبلغ عنه"),
    "qualitative": ("Assessment", "تقييم"),
}
ORIGIN_LABELS = {"computed": ("computed", "محسوب"), "manual": ("entered by hand", "مُدخل يدوياً")}
RATING_LABELS = {
    "not_started": ("Not started", "لم يبدأ"),
    "some_progress": ("Some progress", "بعض التقدم"),
    "achieved": ("Achieved", "تحقق"),
}


def _pick(labels: tuple[str, str], lang: str) -> str:
    return labels[0] if lang == "en" else labels[1]


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def page_view(plan: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """What the public page shows of a computed plan, in one language."""

    def title(node: Mapping[str, Any]) -> str:
        return str(node["title_en"] if lang == "en" else node["title_ar"])

    def indicator(i: Mapping[str, Any]) -> dict[str, Any]:
        latest = i.get("latest") or {}
        current = latest.get("value")
        if current is None and latest.get("rating"):
            current = _pick(RATING_LABELS[latest["rating"]], lang)
        return {
            "title": title(i),
            "source": _pick(SOURCE_LABELS[i["source"]["kind"]], lang),
            "origin": _pick(ORIGIN_LABELS[i["origin"]], lang),
            "baseline": _shown(i.get("baseline")),
            "baseline_as_of": i.get("baseline_as_of"),
            "current": _shown(current),
            "current_as_of": latest.get("as_of"),
            "target": _shown(i.get("target")),
            "status_code": i["status"],
            "status": _pick(STATUS_LABELS[i["status"]], lang),
            "progress": None if i["progress"] is None else round(100 * i["progress"]),
            "trend": [
                {"period": p["period"], "value": _shown(p.get("value"))} for p in i.get("trend", [])
            ],
        }

    return {
        "title": title(plan),
        "area_id": plan["area_id"],
        "period_start": plan["period_start"],
        "period_end": plan["period_end"],
        "elapsed": round(100 * plan["elapsed_share"]),
        "as_of": plan.get("as_of"),
        "labels": PAGE_LABELS[lang],
        "goals": [
            {
                "title": title(g),
                "outcomes": [
                    {"title": title(o), "indicators": [indicator(i) for i in o["indicators"]]}
                    for o in g["outcomes"]
                ],
            }
            for g in plan["goals"]
        ],
    }
