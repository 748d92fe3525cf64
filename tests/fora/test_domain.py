"""Pure fora rules: quorum, tallies, transitions, ranking, areas, health and plans."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from libs.chassis.errors import RuleViolation
from libs.reference import load_reference
from services.fora.domain import plans, registry, surveys
from services.fora.domain.areas import UnknownArea, contains, covering_areas, level_of
from services.fora.domain.follow_up import (
    check_category,
    check_transition,
    closed_on_time,
    is_overdue,
    progress,
    rank_concerns,
)
from services.fora.domain.health import (
    ActionFact,
    ConcernFact,
    MeetingFact,
    forum_health,
    quarter_of,
    roll_up,
)
from services.fora.domain.meetings import (
    Person,
    QuorumRule,
    WalkIns,
    check_attendance,
    check_cancellable,
    quorum,
    tally,
)
from services.fora.domain.vocabulary import meeting_kind


def kind(code: str):
    return meeting_kind(load_reference(), code)


def test_default_quorum_is_a_majority_of_members():
    rule = QuorumRule()
    assert [rule.needed(n) for n in (1, 2, 9, 10)] == [1, 2, 5, 6]
    assert not rule.met(5, 10) and rule.met(6, 10)
    assert not rule.met(0, 0)


def test_quorum_rule_may_be_a_fraction_or_a_count():
    assert QuorumRule(kind="fraction", value=1 / 3).needed(9) == 3
    assert QuorumRule(kind="fraction", value=0.6).needed(10) == 6
    assert QuorumRule(kind="count", value=4).needed(100) == 4
    with pytest.raises(ValueError, match="value"):
        QuorumRule(kind="fraction", value=2)
    with pytest.raises(ValueError, match="value"):
        QuorumRule(kind="majority", value=0.5)


def test_women_only_session_counts_quorum_among_women_members():
    women = [Person("female", "30_44", "womens_organisation")] * 3
    men = [Person("male", "45_59", "tribal")] * 5
    assert quorum(QuorumRule(), kind("women_only"), women[:2], women + men) == (True, 2)
    assert quorum(QuorumRule(), kind("regular"), women[:2], women + men) == (False, 5)


def test_a_public_consultation_needs_no_quorum():
    """Point 4: a consultation with no members present is not a failed quorum."""
    men = [Person("male", "45_59", "tribal")] * 5
    for code in ("public_consultation", "town_hall", "focus_group"):
        assert quorum(QuorumRule(), kind(code), [], men) == (None, 0)
    assert quorum(QuorumRule(), kind("follow_up"), [], men) == (False, 3)


def test_tally_counts_members_and_walk_ins_by_gender_group_and_age():
    present = [Person("female", "18_29", "youth"), Person("male", None, "police")]
    counts = tally(present, [WalkIns(3, "female", "30_44", "refugees_idps"), WalkIns(2)])
    assert (counts.members_present, counts.walk_ins, counts.total) == (2, 5, 7)
    assert (counts.women, counts.men) == (4, 1)
    assert counts.groups == {"other": 2, "police": 1, "refugees_idps": 3, "youth": 1}
    assert counts.age_bands == {"18_29": 1, "30_44": 3}


def test_action_transitions_and_timeliness():
    check_transition("open", "in_progress")
    check_transition("done", "in_progress")
    with pytest.raises(RuleViolation, match="allowed: none"):
        check_transition("dropped", "open")
    assert is_overdue("blocked", date(2026, 1, 1), date(2026, 1, 2))
    assert not is_overdue("done", date(2026, 1, 1), date(2026, 1, 2))
    assert not is_overdue("open", date(2026, 1, 2), date(2026, 1, 2))
    assert closed_on_time("done", date(2026, 1, 2), date(2026, 1, 2))
    assert not closed_on_time("done", date(2026, 1, 2), date(2026, 1, 3))


def test_ranking_by_votes_and_by_borda_count_keeps_ties_in_raised_order():
    a, b, c = uuid4(), uuid4(), uuid4()
    by_votes = rank_concerns("votes", [a, b, c], votes={b: 7, c: 7, a: 2})
    assert [r.concern_id for r in by_votes] == [b, c, a]
    borda = rank_concerns("ranking", [a, b, c], ballots=[[c, a, b], [c, b], [a, c, b]])
    # c: 3+3+2 = 8, a: 2+3 = 5, b: 1+2+1 = 4
    assert [(r.concern_id, r.score) for r in borda] == [(c, 8), (a, 5), (b, 4)]
    with pytest.raises(RuleViolation, match="not candidates"):
        rank_concerns("votes", [a], votes={b: 1})


def test_fora_covering_an_area_are_those_at_it_and_above_it():
    reference = load_reference()
    assert covering_areas(reference, "AM-01") == ["AM-01", "AM", "JO"]
    assert covering_areas(reference, "AM-01-S1") == ["AM-01-S1", "AM-01", "AM", "JO"]
    assert level_of(reference, "AM") == "governorate"
    assert contains(reference, "AM", "AM-01-S1") and not contains(reference, "AM-01-S1", "AM-01")
    with pytest.raises(UnknownArea, match="XX-99"):
        level_of(reference, "XX-99")


def test_quarters():
    assert quarter_of(date(2026, 8, 15)) == (date(2026, 7, 1), date(2026, 9, 30))
    assert quarter_of(date(2026, 12, 31)) == (date(2026, 10, 1), date(2026, 12, 31))


def _meeting(day, held=True, quorum=True, total=10, women=3, kind="regular", groups=None):
    return MeetingFact(
        scheduled_for=day, kind=kind, status="held" if held else "cancelled",
        held_on=day if held else None, quorum_met=quorum, attendees=total, women=women,
        groups=groups or {"youth": total},
    )  # fmt: skip


def test_forum_health_by_hand():
    start, end = date(2026, 7, 1), date(2026, 9, 30)
    meetings = [
        _meeting(date(2026, 7, 10), total=10, women=2, groups={"youth": 4, "tribal": 6}),
        _meeting(date(2026, 8, 10), quorum=False, total=8, women=4, groups={"youth": 8}),
        _meeting(date(2026, 9, 10), held=False),
        _meeting(date(2026, 9, 12), kind="women_only", total=12, women=12),
        _meeting(date(2026, 10, 2)),  # next quarter
    ]
    actions = [
        ActionFact(date(2026, 8, 1), "done", date(2026, 7, 30)),  # on time
        ActionFact(date(2026, 8, 1), "done", date(2026, 8, 5)),  # late
        ActionFact(date(2026, 9, 1), "open", None),  # overdue
        ActionFact(date(2026, 9, 1), "dropped", None),  # not counted
        ActionFact(date(2026, 11, 1), "open", None),  # due later
    ]
    concerns = [ConcernFact(date(2026, 7, 10), True), ConcernFact(date(2026, 8, 1), False)]
    health = forum_health(start, end, date(2026, 11, 1), meetings, actions, concerns)
    assert (health.meetings_planned, health.meetings_held, health.meetings_with_quorum) == (3, 2, 1)
    assert health.women_only_sessions == 1
    assert health.women_share == 6 / 18 and health.meets_women_target
    assert health.group_shares == {"tribal": 6 / 18, "youth": 12 / 18}
    assert (health.actions_due, health.actions_closed_on_time) == (3, 1)
    assert health.agenda_share == 0.5
    # A quarter in progress counts only what is due by as_of.
    early = forum_health(start, end, date(2026, 8, 2), meetings, actions, concerns)
    assert (early.meetings_planned, early.meetings_held, early.actions_due) == (1, 1, 2)
    both = roll_up([health, early], start, end, 1 / 3)
    assert both.meetings_held == 3 and both.women_share == (6 + 2) / (18 + 10)


def test_plan_indicator_progress():
    on_track = plans.indicator_progress("incidents_baseline", 40, 20, 30, None, elapsed=0.5)
    assert on_track == plans.IndicatorProgress(0.5, "on_track")
    behind = plans.indicator_progress("survey_item", 0.4, 0.6, 0.42, None, elapsed=0.5)
    assert behind.status == "behind" and behind.progress == 0.1
    assert plans.indicator_progress("qualitative", None, None, None, "achieved", 0.2).status == (
        "achieved"
    )
    assert plans.indicator_progress("survey_item", 0.4, 0.6, None, None, 0.2).status == "no_data"
    assert plans.elapsed_share(date(2026, 1, 1), date(2026, 12, 31), date(2027, 3, 1)) == 1.0


def test_rule_checks_name_the_field_without_io():
    reference = load_reference()
    with pytest.raises(RuleViolation) as council:
        registry.placement(reference, "coordination_council", "AM-01-S1")
    assert council.value.loc == ("body", "area_id")
    assert registry.placement(reference, "youth_forum", "AM-01-S1").station_id == "AM-01-S1"
    with pytest.raises(RuleViolation) as parent:
        registry.check_parent(reference, "coordination_council", "IR", "AM-01")
    assert parent.value.loc == ("body", "parent_forum_id")
    with pytest.raises(RuleViolation) as category:
        check_category(reference, "9999")
    assert "ICCS" in category.value.rule
    with pytest.raises(RuleViolation) as twice:
        surveys.check_wave(["trust_police", "trust_police"], date(2026, 1, 1), date(2026, 2, 1))
    assert twice.value.loc == ("body", "items")
    member = uuid4()
    roll = {member: Person("male", None, None)}
    with pytest.raises(RuleViolation, match="women-only"):
        check_attendance(
            "scheduled", kind("women_only"), date(2026, 1, 1), date(2026, 1, 2), [member], roll, []
        )
    with pytest.raises(RuleViolation) as cancelled:
        check_cancellable("held")
    assert cancelled.value.status == 409


def test_progress_closes_on_the_day_done_and_reopening_clears_it():
    due, today = date(2026, 3, 1), date(2026, 3, 5)
    done = progress(
        "open", due, None, date(2026, 2, 1), on=today, today=today, new_status="done",
        new_due_on=None,
    )  # fmt: skip
    assert (done.status, done.closed_on, done.changed) == ("done", today, True)
    reopened = progress(
        "done", due, today, date(2026, 2, 1), on=today, today=today,
        new_status="in_progress", new_due_on=None,
    )  # fmt: skip
    assert reopened.closed_on is None
    with pytest.raises(RuleViolation, match="before the action was agreed"):
        progress(
            "open", due, None, date(2026, 2, 1), on=date(2026, 1, 1), today=today,
            new_status=None, new_due_on=None,
        )  # fmt: skip


def test_scope_areas_by_claim():
    from libs.chassis.principal import Principal
    from services.fora.domain.scope import scope_of

    reference = load_reference()

    def of(roles, **claims):
        return scope_of(Principal(subject="t", roles=frozenset(roles), **claims), reference)

    assert of({"ministry_analyst"}, governorate="AM").national
    assert of({"forum_coordinator"}).national
    governorate = of({"forum_coordinator"}, governorate="AM")
    assert governorate.forum_areas(reference) == reference.areas_within("AM")
    assert all(governorate.may_report_on(reference, area) for area in ("JO", "AM", "AM-01"))
    assert not governorate.may_report_on(reference, "IR")
    station = of({"station_officer"}, station_id="AM-01-S1", governorate="IR")
    assert station.forum_areas(reference) == {"AM-01-S1"}
    assert station.record_areas(reference) == {"AM-01-S1", "AM-01", "AM", "JO"}
    assert not station.reaches_area(reference, "AM-01-S2")
    with pytest.raises(RuleViolation) as nameless:
        of({"station_officer"})
    assert nameless.value.status == 403
