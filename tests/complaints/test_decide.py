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
    Allegation,
    Case,
    Investigator,
    Notification,
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
    assert decision.notifications == (Notification("findings", "en"),)


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
    decision = decide(case, TransitionRequest("closed", OFFICER), NOW)
    assert [type(e) for e in decision.events] == [ComplaintStatusChanged, ComplaintClosed]
    assert decision.entry.reason == "not_upheld"  # the edge's default reason
    assert decision.events[1].closed_at == NOW and decision.changes["closed_at"] == NOW
    assert decision.notifications == ()  # no contact details: nobody to tell


def test_assigning_records_the_investigator_and_a_quiet_move_queues_nothing():
    assign = TransitionRequest("assigned", OFFICER, investigator=Investigator("inv-7", "PSD-HQ"))
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
