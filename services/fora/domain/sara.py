"""SARA problem-solving cases: Scanning, Analysis, Response, Assessment.

The rules that keep a case honest:
- scanning must show a pattern, not an anecdote: at least two linked incidents, or an alert
  raised by the incidents baselines;
- the baseline the case will be judged against is frozen when the case opens (the before
  period, its weekly counts and the comparison area), so the assessment cannot move the
  goalposts: the evaluation is always asked for exactly that before period and areas;
- impact is judged by the weighted displacement difference (WDD) of the incidents service's
  evaluation and its p-value, with displacement or diffusion of benefits to a buffer area
  measured by the weighted displacement quotient's buffer term (Bowers & Johnson 2003).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from libs.chassis.errors import RuleViolation
from libs.contracts.fora import FrozenBaseline, SaraStage
from libs.reference.model import Reference

from .areas import UnknownArea, contains, level_of

STAGES: tuple[SaraStage, ...] = ("scanning", "analysis", "response", "assessment", "closed")
SIGNIFICANCE = 0.05
MIN_LINKED_INCIDENTS = 2


@dataclass(frozen=True)
class CaseAreas:
    """The areas a case names: treated, comparison and (perhaps) a displacement buffer."""

    area_id: str
    comparison_area_id: str
    displacement_area_id: str | None
    iccs_code: str


def check_areas(reference: Reference, forum_area: str, areas: CaseAreas) -> str:
    """The areas are known, the treated one within the forum's, all three distinct, and the
    ICCS code known; returns the treated area's level."""
    for field in ("area_id", "comparison_area_id", "displacement_area_id"):
        value = getattr(areas, field)
        if value is not None:
            try:
                level_of(reference, value)
            except UnknownArea as exc:
                raise RuleViolation(field, exc.args[0]) from exc
    if not contains(reference, forum_area, areas.area_id):
        raise RuleViolation("area_id", f"must lie within the forum's area {forum_area}")
    if areas.comparison_area_id == areas.area_id:
        raise RuleViolation("comparison_area_id", "must differ from the treated area")
    if areas.displacement_area_id in (areas.area_id, areas.comparison_area_id):
        raise RuleViolation("displacement_area_id", "must differ from treated and comparison areas")
    if not reference.is_valid_iccs(areas.iccs_code):
        raise RuleViolation("iccs_code", f"{areas.iccs_code!r} is not an ICCS code")
    return level_of(reference, areas.area_id)


def check_new_case(
    linked_incidents: Sequence[Any],
    alert_id: Any | None,
    before_from: date,
    before_to: date,
    today: date,
) -> None:
    """Scanning shows a pattern, and the before period is a real one, wholly past."""
    check_scanning(linked_incidents, alert_id)
    check_windows(before_from, before_to)
    if before_to >= today:
        raise RuleViolation("before_to", "must be in the past")


def check_scanning(linked_incidents: Sequence[Any], alert_id: Any | None) -> None:
    if alert_id is None and len(set(linked_incidents)) < MIN_LINKED_INCIDENTS:
        raise RuleViolation(
            "linked_incident_ids",
            f"link at least {MIN_LINKED_INCIDENTS} incidents, or an incidents alert (alert_id)",
        )


def _same_category(code: str, case_code: str) -> bool:
    """An ICCS code of the case's category: the same section or division, or one within it
    (a division of a section case, a section alert over a division case)."""
    return code.startswith(case_code) or case_code.startswith(code)


def check_incident_evidence(
    reference: Reference,
    area_id: str,
    iccs_code: str,
    index: int,
    incident: Mapping[str, Any] | None,
) -> None:
    """A linked incident, as the incidents service holds it: it exists, stands (neither
    merged into another nor found no crime), was recorded at a station inside the case's area,
    and has an offence in the case's category."""
    field = ("linked_incident_ids", index)
    if incident is None:
        raise RuleViolation(
            field, "incident_exists: the incidents service has no such incident",
            ctx={"rule": "incident_exists"},
        )  # fmt: skip
    if incident.get("status", "active") != "active":
        raise RuleViolation(
            field, f"incident_active: the incident is {incident['status']}",
            ctx={"rule": "incident_active"},
        )  # fmt: skip
    if not contains(reference, area_id, str(incident.get("station_id"))):
        raise RuleViolation(
            field, "incident_in_area: the incident was recorded outside the case's area",
            ctx={"rule": "incident_in_area"},
        )  # fmt: skip
    codes = incident.get("iccs_codes") or [o["iccs_code"] for o in incident.get("offences", [])]
    if not any(_same_category(str(code), iccs_code) for code in codes):
        raise RuleViolation(
            field, "incident_in_category: none of its offences is in the case's ICCS category",
            ctx={"rule": "incident_in_category"},
        )  # fmt: skip


def check_alert_evidence(
    reference: Reference, area_id: str, iccs_code: str, alert: Mapping[str, Any] | None
) -> None:
    """A linked alert exists, is for an area the case covers (its area or one within it) and
    for the case's category."""
    if alert is None:
        raise RuleViolation(
            "alert_id", "alert_exists: the incidents service has no such alert",
            ctx={"rule": "alert_exists"},
        )  # fmt: skip
    if not contains(reference, area_id, str(alert.get("area_id"))):
        raise RuleViolation(
            "alert_id", f"alert_in_area: the alert is for {alert.get('area_id')}, an area the "
            "case does not cover", ctx={"rule": "alert_in_area"},
        )  # fmt: skip
    if not _same_category(str(alert.get("iccs_code")), iccs_code):
        raise RuleViolation(
            "alert_id", f"alert_in_category: the alert is for ICCS {alert.get('iccs_code')}, "
            "not the case's category", ctx={"rule": "alert_in_category"},
        )  # fmt: skip


def before_figures(frozen: int, revised: int) -> dict[str, Any]:
    """Which before-period figures an assessment used. The evaluation counts the before
    period as recorded now (revised); the case froze it when it opened. Incidents recorded
    late for the before period are the difference, and are reported."""
    return {
        "used": "revised",
        "frozen": frozen,
        "revised": revised,
        "late_recorded": revised - frozen,
    }


def check_windows(
    before_from: date, before_to: date, after_from: date | None = None, after_to: date | None = None
) -> None:
    if before_to < before_from:
        raise RuleViolation("before_to", "must not be before before_from")
    if after_from is None or after_to is None:
        return
    if after_to < after_from:
        raise RuleViolation("after_to", "must not be before after_from")
    if after_from <= before_to:
        raise RuleViolation("after_from", f"must be after the frozen before period ({before_to})")


def next_stage(current: SaraStage, wanted: SaraStage) -> None:
    """Stages are taken in order; a case can go back one step (analysis revisited) but not
    skip one, and a closed case stays closed."""
    i, j = STAGES.index(current), STAGES.index(wanted)
    if current == "closed" or not (j == i + 1 or j == i - 1 or j == i):
        raise RuleViolation.conflict(f"a case in {current} cannot move to {wanted}")


def check_assessment(
    stage: str,
    interventions: Sequence[Mapping[str, Any]],
    baseline: Mapping[str, Any],
    processes: int,
    after_from: date,
    after_to: date,
    today: date,
) -> None:
    """An assessment follows the response: one process entry per intervention, an after
    period that starts once the response did, is past, and follows the frozen before period."""
    if stage not in ("response", "assessment"):
        raise RuleViolation.conflict(f"a case in {stage} cannot be assessed: record the response")
    if processes != len(interventions):
        raise RuleViolation("process", f"give one entry per intervention ({len(interventions)})")
    first_start = min(date.fromisoformat(i["start_on"]) for i in interventions)
    if after_from < first_start:
        raise RuleViolation(
            "after_from", f"must not be before the response started ({first_start})"
        )
    if after_to >= today:
        raise RuleViolation("after_to", "must be in the past")
    check_windows(
        date.fromisoformat(baseline["from_date"]),
        date.fromisoformat(baseline["to_date"]),
        after_from,
        after_to,
    )


def freeze_baseline(series: Mapping[str, Any], from_date: date, to_date: date) -> FrozenBaseline:
    """Sum the incidents service's weekly baseline series over the case's before period."""
    weeks = [w for w in series.get("weeks", []) if from_date <= _day(w["week_start"]) <= to_date]
    return FrozenBaseline(
        method=str(series.get("method") or "unknown")[:32],
        from_date=from_date,
        to_date=to_date,
        weeks=len(weeks),
        observed=sum(int(w["observed"]) for w in weeks),
        expected=round(sum(float(w.get("expected") or 0) for w in weeks), 3),
        weeks_flagged=sum(1 for w in weeks if w.get("flag")),
    )


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Intervention:
    title: str
    done_as_planned: bool | None  # None: not yet assessed


ImpactKind = Literal["reduction", "increase", "no_significant_change"]
DisplacementKind = Literal["displacement", "diffusion_of_benefits", "none", "not_measured"]
Counts = tuple[int, int, int, int]  # treated before, after; comparison before, after


@dataclass(frozen=True)
class Impact:
    treated_before: int
    treated_after: int
    comparison_before: int
    comparison_after: int
    displacement_before: int | None
    displacement_after: int | None
    wdd: float
    wdd_p: float | None
    etest_p: float | None
    impact: ImpactKind
    displacement: DisplacementKind
    wdq: float | None
    before_revised: bool  # late-recorded incidents changed the before count since freezing


def evaluation_query(case: Mapping[str, Any], after_from: date, after_to: date) -> dict[str, str]:
    """The evaluation API's parameters, taken from the frozen case and the after period only."""
    baseline = case["baseline"]
    query = {
        "treated": case["area_id"],
        "comparison": case["comparison_area_id"],
        "before_from": str(baseline["from_date"]),
        "before_to": str(baseline["to_date"]),
        "after_from": after_from.isoformat(),
        "after_to": after_to.isoformat(),
    }
    if case.get("iccs_code"):
        query["category"] = case["iccs_code"]
    if case.get("displacement_area_id"):
        query["displacement"] = case["displacement_area_id"]
    return query


def assess_impact(case: Mapping[str, Any], evaluation: Mapping[str, Any]) -> Impact:
    """Judge the evaluation the incidents service returned for the case's frozen periods."""
    treated, comparison = evaluation["treated"], evaluation["comparison"]
    if (
        treated.get("area") != case["area_id"]
        or comparison.get("area") != case["comparison_area_id"]
    ):
        # The incidents service answered another question than the one asked: its fault.
        raise RuleViolation(
            None,
            "incidents evaluation rejected: it does not match the case's frozen areas",
            status=502,
            code="bad_gateway",
        )
    buffer = evaluation.get("displacement") if case.get("displacement_area_id") else None
    wdd = float(evaluation["wdd"])
    p = _p(evaluation.get("wdd_p"))
    if p is None:
        p = _p(evaluation.get("etest_p"))
    impact: ImpactKind = "no_significant_change"
    if p is not None and p < SIGNIFICANCE and wdd != 0:
        impact = "reduction" if wdd < 0 else "increase"
    counts = (
        int(treated["before"]),
        int(treated["after"]),
        int(comparison["before"]),
        int(comparison["after"]),
    )
    return Impact(
        treated_before=int(treated["before"]),
        treated_after=int(treated["after"]),
        comparison_before=int(comparison["before"]),
        comparison_after=int(comparison["after"]),
        displacement_before=int(buffer["before"]) if buffer else None,
        displacement_after=int(buffer["after"]) if buffer else None,
        wdd=wdd,
        wdd_p=_p(evaluation.get("wdd_p")),
        etest_p=_p(evaluation.get("etest_p")),
        impact=impact,
        displacement=_displacement(counts, buffer),
        wdq=_wdq(counts, buffer),
        before_revised=int(treated["before"]) != int(case["baseline"]["observed"]),
    )


def _p(value: Any) -> float | None:
    return None if value is None else float(value)


def _buffer_term(counts: Counts, buffer: Mapping[str, Any]) -> float:
    """Da/Ca − Db/Cb: the buffer's change relative to the comparison area; with an empty
    comparison period, the buffer's raw change."""
    _, _, cb, ca = counts
    db, da = int(buffer["before"]), int(buffer["after"])
    if ca and cb:
        return da / ca - db / cb
    return float(da - db)


def _displacement(counts: Counts, buffer: Mapping[str, Any] | None) -> DisplacementKind:
    if buffer is None:
        return "not_measured"
    term = _buffer_term(counts, buffer)
    if abs(term) < 1e-9:
        return "none"
    return "displacement" if term > 0 else "diffusion_of_benefits"


def _wdq(counts: Counts, buffer: Mapping[str, Any] | None) -> float | None:
    """Weighted displacement quotient: buffer term over success term, when both are defined."""
    tb, ta, cb, ca = counts
    if buffer is None or not (ca and cb):
        return None
    success = ta / ca - tb / cb
    if success == 0:
        return None
    return round(_buffer_term(counts, buffer) / success, 4)


def process_summary(interventions: Sequence[Intervention]) -> tuple[int, int]:
    """(planned, done as planned)."""
    return len(interventions), sum(1 for i in interventions if i.done_as_planned)
