"""The lifecycle rules and the clock arithmetic, as pure functions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from libs.chassis.errors import RuleViolation
from services.complaints.domain.clocks import (
    DEFAULT_PACK,
    StatusEntry,
    add_months,
    add_working_days,
    next_deadline,
    running_deadlines,
)
from services.complaints.domain.lifecycle import (
    COMPLAINTS_OFFICER,
    INVESTIGATOR,
    OVERSIGHT,
    STATUSES,
    TRANSITIONS,
    Allegation,
    Case,
    Investigator,
    Posting,
    TransitionRequest,
    check_transition,
)
from services.complaints.domain.texts import language_from, status_text

OFFICER = frozenset({COMPLAINTS_OFFICER})
T0 = datetime(2026, 1, 4, 9, 0, tzinfo=UTC)  # a Sunday: a working day in Jordan


def CaseView(status, station_id, allegations=(), review_window_ends=None):  # noqa: N802
    """A case as the rules see it; the rest of the row does not matter to them."""
    return Case(
        uuid4(),
        status,
        "AM",
        station_id,
        allegations,
        review_window_ends=review_window_ends,
    )


def check(case, request, at=T0):
    return check_transition(case, request, at)


def test_every_status_is_reachable_and_has_both_languages():
    targets = {t.target for t in TRANSITIONS} | {"received"}
    assert targets == set(STATUSES)
    assert all(status_text(s, "ar") and status_text(s, "en") for s in STATUSES)


def test_illegal_move_names_the_allowed_ones():
    with pytest.raises(RuleViolation) as caught:
        check(CaseView("triage", None), TransitionRequest("closed", OFFICER))
    assert caught.value.ctx["allowed"] == [
        "informal_resolution", "formal_investigation", "not_accepted", "referred"
    ]  # fmt: skip
    assert caught.value.status == 409


def test_role_reason_and_agreement_rules():
    case = CaseView("triage", None)
    with pytest.raises(RuleViolation) as not_permitted:
        check(case, TransitionRequest("referred", frozenset({INVESTIGATOR})))
    assert not_permitted.value.status == 403
    with pytest.raises(RuleViolation, match="reason code is required"):
        check(case, TransitionRequest("not_accepted", OFFICER))
    with pytest.raises(RuleViolation, match="agreement"):
        check(case, TransitionRequest("informal_resolution", OFFICER))
    review = TransitionRequest("closed", frozenset({OVERSIGHT}))
    _, reason = check(CaseView("review_requested", None), review)
    assert reason == "not_upheld"


def test_the_review_window_is_not_cut_short():
    notified = [StatusEntry("complainant_notified", T0), StatusEntry("review_window", T0)]
    running = running_deadlines(notified, DEFAULT_PACK, T0)
    [window] = [d for d in running if d.kind == "review_window"]
    assert window.due_at == T0 + timedelta(days=28)
    case = CaseView("review_window", None, review_window_ends=window.due_at)
    inside = T0 + timedelta(days=27)
    with pytest.raises(RuleViolation, match="until 2026-02-01") as caught:
        check(case, TransitionRequest("closed", OFFICER), at=inside)
    assert caught.value.status == 409
    waived = TransitionRequest("closed", OFFICER, reason="review_waived")
    with pytest.raises(RuleViolation, match="only the complainant can waive") as caught:
        check(case, waived, at=inside)
    assert caught.value.status == 403
    by_complainant = TransitionRequest("closed", frozenset({"complainant"}))
    assert check(case, by_complainant, at=inside)[1] == "review_waived"
    after = TransitionRequest("closed", OFFICER)
    assert check(case, after, at=window.due_at)[1] == "review_window_elapsed"
    # A review can still be asked for inside the window, and is not affected.
    asked = TransitionRequest("review_requested", OFFICER)
    assert check(case, asked, at=inside)[0].target == "review_requested"


@pytest.mark.parametrize("unit", ["AM-01-S1", "AM-01", "AM"])
def test_investigator_from_the_chain_of_command_is_refused(unit):
    case = CaseView("formal_investigation", "AM-01-S1")
    investigator = Investigator("inv", Posting(unit))
    request = TransitionRequest("assigned", OFFICER, investigator=investigator)
    with pytest.raises(RuleViolation, match="chain of command of station AM-01-S1") as caught:
        check(case, request)
    assert caught.value.status == 409


def test_investigator_outside_the_chain_or_accused_themselves():
    allegation = Allegation(uuid4(), "use_of_force", "officer", "IR-02-S1", None, "ab" * 16)
    case = CaseView("formal_investigation", "AM-01-S1", [allegation])
    ok = Investigator("inv", Posting("AM-02-S1"))
    check(case, TransitionRequest("assigned", OFFICER, investigator=ok))
    irbid = Investigator("i", Posting("IR"))
    with pytest.raises(RuleViolation) as caught:  # the allegation names an Irbid station
        check(case, TransitionRequest("assigned", OFFICER, investigator=irbid))
    assert caught.value.status == 409
    accused = Investigator("inv", Posting("PSD-HQ"), "ab" * 16)
    with pytest.raises(RuleViolation, match="complained about") as caught:
        check(case, TransitionRequest("assigned", OFFICER, investigator=accused))
    assert caught.value.status == 409


def test_findings_cover_every_allegation_with_the_vocabulary():
    a, b = Allegation(uuid4(), "discourtesy", "officer"), Allegation(uuid4(), "other", "unit")
    case = CaseView("under_investigation", None, [a, b])
    actors = frozenset({INVESTIGATOR})
    with pytest.raises(RuleViolation, match="missing"):
        check(case, TransitionRequest("findings", actors, findings={a.allegation_id: "UNFOUNDED"}))
    with pytest.raises(RuleViolation, match="not one of"):
        findings = {a.allegation_id: "GUILTY", b.allegation_id: "WITHDRAWN"}
        check(case, TransitionRequest("findings", actors, findings=findings))
    findings = {a.allegation_id: "UNFOUNDED", b.allegation_id: "OFFICER_UNIDENTIFIED"}
    check(case, TransitionRequest("findings", actors, findings=findings))


def test_accept_language():
    assert language_from("en-US,en;q=0.9,ar;q=0.8") == "en"
    assert language_from("fr, ar;q=0.5, en;q=0.4") == "ar"
    assert language_from(None) == "ar" and language_from("de", default="en") == "en"


# --- clocks ----------------------------------------------------------------------------------


def test_working_days_skip_friday_saturday_and_holidays():
    thursday = datetime(2026, 1, 8, 9, 0, tzinfo=UTC)
    assert add_working_days(thursday, 1, DEFAULT_PACK).date() == date(2026, 1, 11)  # Sunday
    from dataclasses import replace

    pack = replace(DEFAULT_PACK, holidays=frozenset({date(2026, 1, 11)}))
    assert add_working_days(thursday, 1, pack).date() == date(2026, 1, 12)
    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1).date() == date(2026, 2, 28)


def test_outcome_notice_is_five_working_days():
    history = [StatusEntry("received", T0), StatusEntry("outcome", T0)]
    [notice] = [
        d for d in running_deadlines(history, DEFAULT_PACK, T0) if d.kind == "outcome_notice"
    ]
    assert notice.due_at == datetime(2026, 1, 11, 9, 0, tzinfo=UTC)  # Sun→Thu is 4, skip Fri/Sat


def test_suspended_time_does_not_count_and_escalation_repeats():
    history = [
        StatusEntry("received", T0),
        StatusEntry("formal_investigation", T0),
        StatusEntry("under_investigation", T0 + timedelta(days=10)),
        StatusEntry("suspended", T0 + timedelta(days=20)),
        StatusEntry("under_investigation", T0 + timedelta(days=50)),
    ]
    horizon = datetime(2027, 8, 1, tzinfo=UTC)
    escalations = [
        d
        for d in running_deadlines(history, DEFAULT_PACK, horizon)
        if d.kind == "investigation_escalation"
    ]
    assert escalations[0].due_at == datetime(2027, 1, 4, 9, tzinfo=UTC) + timedelta(days=30)
    assert escalations[1].due_at == datetime(2027, 7, 4, 9, tzinfo=UTC) + timedelta(days=30)
    assert escalations[0].instance != escalations[1].instance
    paused = history[:-1]
    assert [
        d
        for d in running_deadlines(paused, DEFAULT_PACK, horizon)
        if d.kind == "investigation_escalation"
    ] == []


def test_progress_update_restarts_when_the_complainant_hears_from_us():
    history = [StatusEntry("received", T0), StatusEntry("logged", T0, notified=True)]
    later = T0 + timedelta(days=20)
    assert next_deadline(history, DEFAULT_PACK, T0).due_at == T0 + timedelta(days=28)
    updated = [
        *history,
        StatusEntry("triage", later),
        StatusEntry("formal_investigation", later, True),
    ]
    progress = [
        d for d in running_deadlines(updated, DEFAULT_PACK, later) if d.kind == "progress_update"
    ]
    assert progress[0].due_at == later + timedelta(days=28)


def test_rule_pack_round_trips_as_json():
    from services.complaints.domain.clocks import RulePack

    assert RulePack.from_json(DEFAULT_PACK.to_json()) == DEFAULT_PACK


def test_an_overdue_deadline_stays_shown_as_overdue():
    from services.complaints.domain.clocks import shown_deadline

    history = [StatusEntry("received", T0)]
    ahead = shown_deadline(history, DEFAULT_PACK, T0 + timedelta(hours=1))
    assert ahead is not None and ahead[0].kind == "acknowledgement" and ahead[1] is False
    late = T0 + timedelta(days=10)  # three working days have long passed
    overdue = shown_deadline(history, DEFAULT_PACK, late)
    assert overdue is not None and overdue[0].kind == "acknowledgement" and overdue[1] is True
    assert next_deadline(history, DEFAULT_PACK, late) is None  # what the page used to show
