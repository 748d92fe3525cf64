"""`decide` is the whole move, with no database: the state, the columns, the events in the order
they are published (ledger entry included, chained and hashed) and the notifications."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from libs.chassis.errors import RuleViolation
from libs.contracts.complaints import (
    ComplaintClosed,
    ComplaintFindingRecorded,
    ComplaintStatusChanged,
)
from services.complaints.domain import ledger
from services.complaints.domain.lifecycle import (
    COMPLAINTS_OFFICER,
    INVESTIGATOR,
    OVERSIGHT,
    Allegation,
    Case,
    Investigator,
    Notification,
    Posting,
    TransitionRequest,
    decide,
    first_entry,
)

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
OFFICER = frozenset({COMPLAINTS_OFFICER})


def case_in(status: str, *, allegations=(), has_contact=True, sequence=4, head="ab" * 32) -> Case:
    return Case(
        complaint_id=uuid4(),
        status=status,
        governorate_code="AM",
        station_id="AM-01-S1",
        allegations=allegations,
        ledger_sequence=sequence,
        ledger_head=head,
        has_contact=has_contact,
        language="en",
    )


def test_findings_for_three_allegations_emit_the_findings_then_the_status_change():
    allegations = [
        Allegation(uuid4(), "use_of_force", "officer", officer_pseudonym="cd" * 16),
        Allegation(uuid4(), "discourtesy", "officer"),
        Allegation(uuid4(), "property_damage_or_loss", "station", station_id="AM-01-S1"),
    ]
    case = case_in("under_investigation", allegations=allegations)
    findings = dict(
        zip(
            [a.allegation_id for a in allegations],
            ["SUBSTANTIATED", "UNFOUNDED", "NOT_SUBSTANTIATED"],
            strict=True,
        )
    )
    request = TransitionRequest("findings", frozenset({INVESTIGATOR}), findings=findings)

    decision = decide(case, request, NOW)

    assert [type(e) for e in decision.events] == [
        ComplaintFindingRecorded,
        ComplaintFindingRecorded,
        ComplaintFindingRecorded,
        ComplaintStatusChanged,
    ]
    recorded = decision.events[:3]
    assert [e.allegation_id for e in recorded] == [a.allegation_id for a in allegations]
    assert [e.finding for e in recorded] == ["SUBSTANTIATED", "UNFOUNDED", "NOT_SUBSTANTIATED"]
    assert recorded[0].officer_pseudonym == "cd" * 16
    entry = decision.events[-1]
    assert entry is decision.entry
    assert (entry.from_status, entry.to_status) == ("under_investigation", "findings")
    assert [f.finding for f in entry.findings] == [e.finding for e in recorded]
    # The next link of the chain: after the case's head, hashed over everything else it says.
    assert (entry.sequence, entry.prev_hash) == (5, "ab" * 32)
    assert entry.hash == ledger.entry_hash(entry.model_dump(mode="json"))
    assert decision.status == "findings"
    assert decision.changes == {
        "status": "findings",
        "status_since": NOW,
        "ledger_sequence": 5,
        "ledger_head": entry.hash,
    }
    assert decision.findings == findings and decision.at == NOW
    told = {
        "findings": [
            {"category": "use_of_force", "finding": "SUBSTANTIATED"},
            {"category": "discourtesy", "finding": "UNFOUNDED"},
            {"category": "property_damage_or_loss", "finding": "NOT_SUBSTANTIATED"},
        ]
    }  # categories only: no officer pseudonym, no unit
    assert decision.notifications == (Notification("findings", "en", told),)


def test_an_illegal_move_is_refused_with_the_allowed_states():
    with pytest.raises(RuleViolation) as caught:
        decide(case_in("closed"), TransitionRequest("findings", OFFICER), NOW)
    refused = caught.value
    assert refused.status == 409 and refused.code == "illegal_transition"
    assert refused.ctx == {"allowed": ["reopened"]}
    assert "allowed from closed: reopened" in refused.rule


def test_a_wrong_role_or_a_missing_reason_is_refused_before_anything_is_decided():
    with pytest.raises(RuleViolation) as wrong_role:
        decide(case_in("assigned"), TransitionRequest("under_investigation", frozenset()), NOW)
    assert wrong_role.value.status == 403
    with pytest.raises(RuleViolation) as no_reason:
        decide(case_in("findings"), TransitionRequest("outcome", OFFICER), NOW)
    assert no_reason.value.status == 422 and no_reason.value.loc == ("body", "reason")


def test_closing_emits_the_status_change_then_the_closure():
    case = case_in("review_requested", has_contact=False)
    decision = decide(case, TransitionRequest("closed", frozenset({OVERSIGHT})), NOW)
    assert [type(e) for e in decision.events] == [ComplaintStatusChanged, ComplaintClosed]
    assert decision.entry.reason == "not_upheld"  # the edge's default reason
    assert decision.events[1].closed_at == NOW and decision.changes["closed_at"] == NOW
    assert decision.notifications == ()  # no contact details: nobody to tell


def test_assigning_records_the_investigator_and_a_quiet_move_queues_nothing():
    investigator = Investigator("inv-7", Posting("PSD-HQ"))
    assign = TransitionRequest("assigned", OFFICER, investigator=investigator)
    decision = decide(case_in("formal_investigation"), assign, NOW)
    assert decision.changes["investigator_id"] == "inv-7"
    assert decision.changes["investigator_unit"] == "PSD-HQ"
    assert decision.entry.findings is None
    triage = decide(case_in("logged"), TransitionRequest("triage", OFFICER), NOW)
    assert triage.notifications == ()  # logged → triage does not concern the complainant


def test_successive_decisions_form_a_chain_the_verifier_accepts():
    first = first_entry(uuid4(), NOW)
    case = Case(
        complaint_id=first.complaint_id,
        status="received",
        governorate_code="AM",
        ledger_sequence=first.sequence,
        ledger_head=first.hash,
    )
    entries = [first]
    for step, target in enumerate(["logged", "triage", "referred"]):
        reason = "military_justice" if target == "referred" else None
        at = NOW + timedelta(hours=step)
        decision = decide(case, TransitionRequest(target, OFFICER, reason=reason), at)
        entries.append(decision.entry)
        case = Case(
            complaint_id=case.complaint_id,
            status=decision.status,
            governorate_code="AM",
            ledger_sequence=decision.changes["ledger_sequence"],
            ledger_head=decision.changes["ledger_head"],
        )
    chain = [e.model_dump(mode="json") for e in entries]
    assert ledger.verify_chain(str(case.complaint_id), chain) == []
    assert [e["from_status"] for e in chain] == [None, "received", "logged", "triage"]


# --- the complainant is told; reviews are independent; investigators come from outside ------

from services.complaints.domain.clocks import DEFAULT_PACK, RulePack  # noqa: E402
from services.complaints.domain.lifecycle import (  # noqa: E402
    COMPLAINANT,
    REVIEWER,
    ReviewPolicy,
)
from services.complaints.domain.texts import notification_text  # noqa: E402


def notified_case(**extra) -> Case:
    allegations = [
        Allegation(uuid4(), "use_of_force", "officer", officer_pseudonym="cd" * 16,
                   finding="SUBSTANTIATED"),
        Allegation(uuid4(), "discourtesy", "officer", finding="UNFOUNDED"),
    ]  # fmt: skip
    fields = {"allegations": allegations, "outcome_reason": "sanction"} | extra
    return Case(**{**case_in("outcome").__dict__, **fields})


def test_the_outcome_notice_tells_findings_and_outcome_and_opens_the_review_window():
    case = notified_case()
    decision = decide(case, TransitionRequest("complainant_notified", OFFICER), NOW)
    entries = [e for e in decision.events if isinstance(e, ComplaintStatusChanged)]
    assert [(e.from_status, e.to_status) for e in entries] == [
        ("outcome", "complainant_notified"),
        ("complainant_notified", "review_window"),
    ]  # the window opened by itself, chained right after
    assert entries[0].reason == "notification_queued"
    assert entries[1].prev_hash == entries[0].hash and decision.status == "review_window"
    assert decision.changes["ledger_sequence"] == entries[1].sequence
    [told] = decision.notifications
    assert told.details == {
        "findings": [
            {"category": "use_of_force", "finding": "SUBSTANTIATED"},
            {"category": "discourtesy", "finding": "UNFOUNDED"},
        ],
        "outcome": "sanction",
    }
    arabic = notification_text("CMP-1", told.about, "ar", told.details)
    assert "استخدام القوة: ثبتت" in arabic and "إجراء تأديبي" in arabic
    english = notification_text("CMP-1", told.about, "en", told.details)
    assert "use of force: substantiated" in english and "cd" * 16 not in english


def test_complainant_notified_needs_a_message_or_a_recorded_reason_none_is_possible():
    anonymous = notified_case(has_contact=False, anonymous=True)
    with pytest.raises(RuleViolation) as refused:
        decide(anonymous, TransitionRequest("complainant_notified", OFFICER), NOW)
    assert refused.value.status == 409 and refused.value.code == "complainant_not_notified"
    assert "complainant_notified_requires_message_or_reason" in refused.value.rule
    with_reason = TransitionRequest("complainant_notified", OFFICER, reason="anonymous_no_contact")
    decision = decide(anonymous, with_reason, NOW)
    assert decision.notifications == ()
    assert decision.events[0].reason == "anonymous_no_contact"
    # Claiming no contact is possible for someone who gave contact details is refused.
    lie = TransitionRequest("complainant_notified", OFFICER, reason="no_contact_details")
    with pytest.raises(RuleViolation) as caught:
        decide(notified_case(), lie, NOW)
    assert caught.value.code == "complainant_reachable"


@pytest.mark.parametrize(
    ("actors", "subject", "outcome_by", "allowed"),
    [
        (OFFICER, "officer-1", "officer-1", False),  # complaints officers do not decide reviews
        (frozenset({OVERSIGHT}), "body-1", "officer-1", True),
        (frozenset({REVIEWER}), "reviewer-1", "officer-1", True),
        (frozenset({REVIEWER}), "officer-1", "officer-1", False),  # decided the outcome
    ],
)
def test_a_review_is_decided_independently_of_the_outcome(actors, subject, outcome_by, allowed):
    case = Case(
        **{**case_in("review_requested").__dict__,
           "outcome_by": outcome_by, "outcome_actor": COMPLAINTS_OFFICER}
    )  # fmt: skip
    request = TransitionRequest("closed", actors, subject=subject)
    if allowed:
        assert decide(case, request, NOW).status == "closed"
        return
    with pytest.raises(RuleViolation) as refused:
        decide(case, request, NOW)
    assert refused.value.status == 403
    assert "review_deciders" in refused.value.rule or "independent" in refused.value.rule


def test_the_rule_pack_says_who_decides_reviews_but_never_the_outcomes_role():
    pack = RulePack.from_json(DEFAULT_PACK.to_json().replace('"reviewer"', '"complaints_officer"'))
    assert pack.review == ReviewPolicy(frozenset({OVERSIGHT, COMPLAINTS_OFFICER}), True)
    case = Case(
        **{**case_in("review_requested").__dict__,
           "outcome_by": "officer-1", "outcome_actor": COMPLAINTS_OFFICER}
    )  # fmt: skip
    other_officer = TransitionRequest("closed", OFFICER, subject="officer-2")
    with pytest.raises(RuleViolation, match="independent of that role"):
        decide(case, other_officer, NOW, pack.review)
    lenient = ReviewPolicy(frozenset({COMPLAINTS_OFFICER}), independent_of_outcome=False)
    assert decide(case, other_officer, NOW, lenient).status == "closed"
    with pytest.raises(ValueError, match="review.deciders"):
        RulePack.from_json(DEFAULT_PACK.to_json().replace('"reviewer"', '"anyone"'))


def test_a_review_asked_for_after_the_window_is_409_with_the_date_in_the_language():
    ends = datetime(2026, 12, 30, 8, 0, tzinfo=UTC)
    case = Case(
        **{**case_in("review_window").__dict__,
           "review_window_ends": ends, "timezone": "Asia/Amman"}
    )  # fmt: skip
    late = ends + timedelta(hours=1)
    for language, words in (("ar", "30 كانون الأول 2026"), ("en", "30 December 2026")):
        request = TransitionRequest("review_requested", frozenset({COMPLAINANT}), language=language)
        with pytest.raises(RuleViolation) as refused:
            decide(case, request, late)
        assert refused.value.status == 409 and refused.value.code == "review_window_closed"
        assert words in refused.value.rule
    on_time = TransitionRequest("review_requested", frozenset({COMPLAINANT}))
    assert decide(case, on_time, ends - timedelta(hours=1)).status == "review_requested"


@pytest.mark.parametrize(
    ("posting", "station", "governorate"),
    [
        (Posting("AM-01-S1-CID"), "AM-01-S1", "AM"),  # a unit inside the station
        (Posting("CID-7", station_id="AM-01-S1"), "AM-01-S1", "AM"),  # attached to it
        (Posting("AM-02-S3"), None, "AM"),  # governorate-only: anywhere under its command
        (Posting("AM"), None, "AM"),
        (Posting("GOV-UNIT", governorate="AM"), None, "AM"),
    ],
)
def test_conflicts_of_interest_come_from_where_the_investigator_is_posted(
    posting, station, governorate
):
    case = Case(uuid4(), "formal_investigation", governorate, station)
    request = TransitionRequest("assigned", OFFICER, investigator=Investigator("inv", posting))
    with pytest.raises(RuleViolation) as refused:
        decide(case, request, NOW)
    assert refused.value.code == "conflict_of_interest"
    assert "investigator_outside_subject_chain" in refused.value.rule


def test_an_investigator_outside_every_chain_is_assigned():
    case = Case(uuid4(), "formal_investigation", "AM", None)  # governorate only
    request = TransitionRequest(
        "assigned", OFFICER, investigator=Investigator("inv", Posting("IR-01-S1"))
    )
    assert decide(case, request, NOW).changes["investigator_unit"] == "IR-01-S1"


def test_only_a_first_suspension_is_told_and_resuming_is_not():
    first = decide(
        case_in("under_investigation"),
        TransitionRequest("suspended", frozenset({INVESTIGATOR}), reason="awaiting_witness"),
        NOW,
    )
    assert [n.about for n in first.notifications] == ["suspended"]
    again = Case(**{**case_in("under_investigation").__dict__, "suspended_before": True})
    repeat = decide(
        again, TransitionRequest("suspended", frozenset({INVESTIGATOR}), reason="x"), NOW
    )
    assert repeat.notifications == ()
    resumed = decide(case_in("suspended"), TransitionRequest("under_investigation", OFFICER), NOW)
    assert resumed.notifications == ()


def test_not_accepted_tells_the_reasons():
    decision = decide(
        case_in("triage"), TransitionRequest("not_accepted", OFFICER, reason="out_of_time"), NOW
    )
    [told] = decision.notifications
    assert told.details == {"not_accepted": "out_of_time"}
    assert "too long after the events" in notification_text("R", told.about, "en", told.details)
