"""Rotating the personal-data master key: old subjects stay readable during the overlap, new
ones are wrapped with the new key, `rewrap` moves the rest, and then the old key can go."""

from __future__ import annotations

import base64
import os
from uuid import uuid4

import pytest
from sqlalchemy import MetaData, text

from libs.chassis.auth import Principal
from libs.chassis.db import make_engine, make_session_factory
from libs.chassis.personal_data import (
    PersonalDataVault,
    keys_by_master,
    personal_data_tables,
)

SCHEMA = "rotation_test"
READER = Principal(subject="officer-7", roles=frozenset({"complaints_officer"}))
OLD, NEW, STRANGER = (base64.b64encode(os.urandom(32)).decode() for _ in range(3))


@pytest.fixture
async def sessions(platform):
    engine = make_engine(platform.settings.database_url, SCHEMA)
    async with engine.begin() as connection:
        await connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
        metadata = MetaData()
        personal_data_tables(metadata)
        await connection.run_sync(metadata.create_all)
    yield make_session_factory(engine)
    await engine.dispose()


async def seal(sessions, vault, name: str):
    subject = uuid4()
    async with sessions() as session, session.begin():
        await vault.seal(session, subject, {"name": name})
    return subject


async def read_name(sessions, vault, subject) -> str | None:
    async with sessions() as session, session.begin():
        data = await vault.unseal(session, subject, principal=READER, purpose="rotation check")
    return data["name"]


async def counts(sessions) -> dict[str, int]:
    async with sessions() as session:
        return await keys_by_master(session)


async def test_rotation_with_overlap_then_retire_the_old_key(sessions):
    old = PersonalDataVault(OLD)
    before = [await seal(sessions, old, f"Person {i}") for i in range(5)]
    overlap = PersonalDataVault(NEW, OLD)
    assert overlap.key_id != old.key_id
    # During the overlap: old subjects still open, a new subject gets the new key.
    assert await read_name(sessions, overlap, before[0]) == "Person 0"
    during = await seal(sessions, overlap, "New Person")
    assert await counts(sessions) == {old.key_id: 5, overlap.key_id: 1}

    moved = []
    while n := await _rewrap(sessions, overlap, batch=2):
        moved.append(n)
    assert moved == [2, 2, 1]  # in batches, the new subject never touched
    assert await counts(sessions) == {overlap.key_id: 6}

    retired = PersonalDataVault(NEW)  # the old key is gone from the settings
    names = [await read_name(sessions, retired, s) for s in [*before, during]]
    assert names == [*(f"Person {i}" for i in range(5)), "New Person"]
    with pytest.raises(ValueError, match="neither the current nor a previous"):
        await read_name(sessions, old, during)


async def _rewrap(sessions, vault, batch: int) -> int:
    async with sessions() as session, session.begin():
        return await vault.rewrap(session, batch)


async def test_a_key_under_an_unknown_master_key_is_refused_by_name(sessions):
    subject = await seal(sessions, PersonalDataVault(OLD), "Someone")
    stranger = PersonalDataVault(STRANGER)
    with pytest.raises(ValueError, match=f"subject {subject}.*neither the current"):
        await read_name(sessions, stranger, subject)
    with pytest.raises(ValueError, match=f"subject {subject}"):
        await _rewrap(sessions, stranger, batch=10)
    assert await counts(sessions) == {PersonalDataVault(OLD).key_id: 1}  # nothing changed


async def test_erased_subjects_are_not_rewrapped(sessions):
    old = PersonalDataVault(OLD)
    kept, erased = await seal(sessions, old, "Kept"), await seal(sessions, old, "Erased")
    async with sessions() as session, session.begin():
        await old.erase(session, erased)
    assert await _rewrap(sessions, PersonalDataVault(NEW, [OLD]), batch=10) == 1
    assert await read_name(sessions, PersonalDataVault(NEW), kept) == "Kept"
    async with sessions() as session, session.begin():
        assert (
            await PersonalDataVault(NEW).unseal(
                session, erased, principal=READER, purpose="rotation check"
            )
            is None
        )
