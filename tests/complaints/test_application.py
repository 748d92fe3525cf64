"""The complaints use cases on a rolled-back session: no service, no lifespan, no Kafka.

A move is one locked read, one decision and one persistence call: a move to findings stages
the findings and the ledger entry in one COPY, and the feed's copies carry the outbox ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import event, text

import libs.chassis.outbox as outbox
from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation
from libs.chassis.settings import Settings
from libs.reference import load_reference
from services.complaints.application import cases as casework
from services.complaints.application import intake, staff, transitions
from services.complaints.domain.clocks import DEFAULT_PACK
from services.complaints.repositories import cases
from services.complaints.schemas import ComplaintIn, StaffIn, TransitionIn
from services.complaints.vault import vault
from tests.complaints.support import COMPLAINT

SETTINGS = Settings()
OFFICER = Principal(subject="officer-1", roles=frozenset({"complaints_officer"}))
INVESTIGATOR = Principal(subject="inv-7", roles=frozenset({"investigator"}))
ASSIGN = {"investigator": {"investigator_id": "inv-7"}}  # the posting: the directory's
ADMIN = Principal(subject="admin-1", roles=frozenset({"admin"}))


async def post(session, staff_id: str, **posting: Any) -> None:
    await staff.put(
        session, ADMIN, staff_id, StaffIn(**posting), pseudonym_key=SETTINGS.pseudonym_key
    )


async def file_one(session) -> UUID:
    body = ComplaintIn.model_validate(COMPLAINT)
    where = intake.resolve(body, None, load_reference())
    status, filed = await intake.file_complaint(
        session,
        body,
        where=where,
        language="en",
        vault=vault(SETTINGS),
        pseudonym_key=SETTINGS.pseudonym_key,
        now=datetime.now(UTC),
    )
    assert status == 201
    return filed["complaint_id"]


async def move(session, principal: Principal, complaint_id: UUID, to: str, **extra: Any):
    return await transitions.move(
        session,
        principal,
        complaint_id,
        TransitionIn.model_validate({"to": to, **extra}),
        pseudonym_key=SETTINGS.pseudonym_key,
        pack=DEFAULT_PACK,
        now=datetime.now(UTC),
    )


async def test_findings_lock_the_case_once_and_stage_all_events_in_one_copy(rollback, monkeypatch):
    sessions = await rollback("complaints")
    async with sessions() as session, session.begin():
        cid = await file_one(session)
        await post(session, "inv-7", unit_code="PSD-HQ")
        for to, extra in [
            ("logged", {}),
            ("triage", {}),
            ("formal_investigation", {}),
            ("assigned", ASSIGN),
        ]:
            await move(session, OFFICER, cid, to, **extra)
        await move(session, INVESTIGATOR, cid, "under_investigation")
        allegations = await cases.allegations_of(session, cid)
        assert len(allegations) == len(COMPLAINT["allegations"])

        copies: list[int] = []
        real_copy = outbox.copy_rows

        async def counted(session_, table, columns, records):
            copies.append(len(records))
            await real_copy(session_, table, columns, records)

        monkeypatch.setattr(outbox, "copy_rows", counted)
        locks: list[str] = []
        connection = (await session.connection()).sync_connection

        def seen(conn, cursor, statement, *args):
            if "FOR UPDATE" in statement:
                locks.append(statement)

        event.listen(connection, "before_cursor_execute", seen)
        findings = [
            {"allegation_id": str(a.allegation_id), "finding": "SUBSTANTIATED"} for a in allegations
        ]
        try:
            entry = await move(session, INVESTIGATOR, cid, "findings", findings=findings)
        finally:
            event.remove(connection, "before_cursor_execute", seen)

        assert copies == [len(allegations) + 1], "one COPY with every event of the move"
        # (The ledger's chain lock on the same row, in emit, is the ledger's own business.)
        case_reads = [s for s in locks if "FOR UPDATE OF complaints" in s]
        assert len(case_reads) == 1, "the case is read once, locked"
        assert (entry.to_status, entry.sequence) == ("findings", 7)

        staged = (
            await session.execute(
                text(
                    "SELECT o.event_type, o.event_id, e.sequence FROM outbox o"
                    " JOIN complaint_events e ON e.event_id = o.event_id"
                    " WHERE e.complaint_id = :c ORDER BY o.id"
                ),
                {"c": cid},
            )
        ).all()
        types = [r.event_type.split(".")[2] for r in staged]
        assert types[-3:] == ["finding_recorded", "finding_recorded", "status_changed"]
        assert [r.sequence for r in staged if r.event_type.endswith("status_changed.v1")] == list(
            range(1, 8)
        )
        row = (
            await session.execute(
                text(
                    "SELECT status, ledger_sequence, ledger_head FROM complaints"
                    " WHERE complaint_id = :c"
                ),
                {"c": cid},
            )
        ).one()
        assert tuple(row) == ("findings", 7, entry.hash)
        recorded = await cases.allegations_of(session, cid)
        assert {a.finding for a in recorded} == {"SUBSTANTIATED"}
        queued = await session.scalar(
            text(
                "SELECT count(*) FROM notifications WHERE complaint_id = :c AND about = 'findings'"
            ),
            {"c": cid},
        )
        assert queued == 1


async def test_a_refused_move_changes_nothing(rollback):
    sessions = await rollback("complaints")
    async with sessions() as session, session.begin():
        cid = await file_one(session)
    with pytest.raises(RuleViolation) as caught:
        async with sessions() as session, session.begin():
            await move(session, OFFICER, cid, "findings")
    assert caught.value.status == 409 and caught.value.ctx == {"allowed": ["logged"]}
    async with sessions() as session:
        row = (
            await session.execute(
                text("SELECT status, ledger_sequence FROM complaints WHERE complaint_id = :c"),
                {"c": cid},
            )
        ).one()
        events = await session.scalar(
            text("SELECT count(*) FROM complaint_events WHERE complaint_id = :c"), {"c": cid}
        )
    assert tuple(row) == ("received", 1) and events == 2  # received and its ledger entry


async def _to_formal(session) -> UUID:
    cid = await file_one(session)
    for to in ("logged", "triage", "formal_investigation"):
        await move(session, OFFICER, cid, to)
    return cid


async def test_the_investigators_posting_is_who_they_are_not_what_is_typed(rollback):
    sessions = await rollback("complaints")
    async with sessions() as session, session.begin():
        cid = await _to_formal(session)
        await post(session, "inv-cid", unit_code="AM-01-S1-CID")  # inside the subject station
        typed = {"investigator": {"investigator_id": "inv-cid", "unit_code": "PSD-HQ"}}
        with pytest.raises(RuleViolation) as typed_refused:
            await move(session, OFFICER, cid, "assigned", **typed)
        assert typed_refused.value.code == "posting_from_directory"
        with pytest.raises(RuleViolation) as refused:
            await move(
                session, OFFICER, cid, "assigned", investigator={"investigator_id": "inv-cid"}
            )
        assert refused.value.code == "conflict_of_interest"
        assert "inside station AM-01-S1" in refused.value.rule
        with pytest.raises(RuleViolation) as unknown:
            await move(session, OFFICER, cid, "assigned", investigator={"investigator_id": "x"})
        assert unknown.value.code == "posting_unknown"


async def test_an_investigator_whose_token_says_the_subject_station_cannot_act(rollback):
    """The directory entry was stale (PSD-HQ) and the assignment passed; their own token says
    AM-01-S1: they may neither move the case nor read the complainant's personal data."""
    sessions = await rollback("complaints")
    async with sessions() as session, session.begin():
        cid = await _to_formal(session)
        await post(session, "inv-7", unit_code="PSD-HQ")
        await move(session, OFFICER, cid, "assigned", **ASSIGN)
        posted_at_subject = Principal(
            subject="inv-7", roles=frozenset({"investigator"}), station_id="AM-01-S1"
        )
        with pytest.raises(RuleViolation) as refused:
            await move(session, posted_at_subject, cid, "under_investigation")
        assert refused.value.code == "conflict_of_interest"
        with pytest.raises(RuleViolation) as read:
            await casework.personal_data(
                session, posted_at_subject, cid, vault=vault(SETTINGS), purpose="interview"
            )
        assert read.value.code == "conflict_of_interest"
        data = await casework.personal_data(
            session, INVESTIGATOR, cid, vault=vault(SETTINGS), purpose="interview"
        )
        assert data["name"] == "Test Person"


async def test_notifying_queues_the_outcome_with_its_review_date_and_opens_the_window(rollback):
    sessions = await rollback("complaints")
    async with sessions() as session, session.begin():
        cid = await file_one(session)
        for to, extra in [
            ("logged", {}),
            ("triage", {}),
            ("informal_resolution", {"complainant_agreed": True}),
            ("outcome", {}),
        ]:
            await move(session, OFFICER, cid, to, **extra)
        entry = await move(session, OFFICER, cid, "complainant_notified")
        assert entry.to_status == "review_window"
        details = await session.scalar(
            text(
                "SELECT details FROM notifications"
                " WHERE complaint_id = :c AND about = 'complainant_notified'"
            ),
            {"c": cid},
        )
        told = json.loads(details)
        assert told["outcome"] == "resolved_informally" and told["review_until"]
        outcome_by = await session.scalar(
            text("SELECT outcome_by FROM complaints WHERE complaint_id = :c"), {"c": cid}
        )
        assert outcome_by == OFFICER.subject
        with pytest.raises(RuleViolation) as waived:
            await move(session, OFFICER, cid, "closed", reason="review_waived")
        assert waived.value.status == 403
        closed = await transitions.waive_review(
            session, cid, pack=DEFAULT_PACK, now=datetime.now(UTC)
        )
        assert (closed.to_status, closed.reason) == ("closed", "review_waived")


async def test_a_case_notified_before_the_window_opened_by_itself_can_still_be_reviewed(rollback):
    """Data from before the window opened automatically: the complainant's request opens it."""
    sessions = await rollback("complaints")
    async with sessions() as session, session.begin():
        cid = await file_one(session)
        for to, extra in [
            ("logged", {}),
            ("triage", {}),
            ("informal_resolution", {"complainant_agreed": True}),
            ("outcome", {}),
            ("complainant_notified", {}),
        ]:
            await move(session, OFFICER, cid, to, **extra)
        await session.execute(  # as an older version left it
            text("UPDATE complaints SET status = 'complainant_notified' WHERE complaint_id = :c"),
            {"c": cid},
        )
        asked = await transitions.request_review(
            session, cid, pack=DEFAULT_PACK, now=datetime.now(UTC)
        )
        assert asked.to_status == "review_requested"
