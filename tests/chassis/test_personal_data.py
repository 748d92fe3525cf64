"""The personal-data vault against a real PostgreSQL: encrypted at rest, audited, erasable."""

from __future__ import annotations

import base64
import os
from uuid import uuid4

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import MetaData, text

from libs.chassis.auth import Principal
from libs.chassis.db import make_engine, make_session_factory
from libs.chassis.personal_data import PersonalDataVault, SubjectErased, personal_data_tables

SCHEMA = "vault_test"
READER = Principal(subject="officer-7", roles=frozenset({"complaints_officer"}))


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


@pytest.fixture
def vault(platform):
    return PersonalDataVault(platform.settings.personal_data_key)


async def _seal(sessions, vault, data):
    subject = uuid4()
    async with sessions() as session, session.begin():
        await vault.seal(session, subject, data)
    return subject


async def _unseal(sessions, vault, subject, **kwargs):
    async with sessions() as session, session.begin():
        return await vault.unseal(
            session, subject, principal=READER, purpose="triage of the complaint", **kwargs
        )


async def test_ciphertext_holds_no_plaintext(sessions, vault, platform):
    name, phone = "Zaynab Qutaishat-Vaultcheck", "+962790001234"
    await _seal(sessions, vault, {"name": name, "phone": phone})
    rows = await platform.sql(SCHEMA, "SELECT field, ciphertext FROM personal_data")
    assert {row["field"] for row in rows} == {"name", "phone"}
    for row in rows:
        stored = bytes(row["ciphertext"])
        assert name.encode() not in stored and phone.encode() not in stored
        assert b"Vaultcheck" not in stored and b"0001234" not in stored
    keys = await platform.sql(SCHEMA, "SELECT wrapped_key FROM subject_keys")
    assert len(keys) == 1 and len(bytes(keys[0]["wrapped_key"])) == 12 + 32 + 16


async def test_unseal_returns_fields_and_audits_the_read(sessions, vault, platform):
    subject = await _seal(sessions, vault, {"name": "Omar", "phone": "0790000000", "note": None})
    assert await _unseal(sessions, vault, subject) == {"name": "Omar", "phone": "0790000000"}
    assert await _unseal(sessions, vault, subject, fields=["phone", "email"]) == {
        "email": None,
        "phone": "0790000000",
    }
    audit = await platform.sql(
        SCHEMA,
        "SELECT actor, role, subject_id, fields, purpose FROM personal_data_reads ORDER BY id",
    )
    assert [(r["actor"], r["role"], r["subject_id"], r["fields"]) for r in audit] == [
        ("officer-7", "complaints_officer", subject, ["name", "phone"]),
        ("officer-7", "complaints_officer", subject, ["email", "phone"]),
    ]
    assert {r["purpose"] for r in audit} == {"triage of the complaint"}


async def test_audit_row_shares_the_callers_transaction(sessions, vault, platform):
    """Callers hand data out only after their transaction commits, so no read goes unaudited."""
    subject = await _seal(sessions, vault, {"name": "Huda"})
    async with sessions() as session, session.begin():
        await vault.unseal(session, subject, principal=READER, purpose="p")
        await session.rollback()
    assert await platform.scalar(SCHEMA, "SELECT count(*) FROM personal_data_reads") == 0


async def test_erase_makes_one_subject_unreadable_and_keeps_the_others(sessions, vault, platform):
    erased = await _seal(sessions, vault, {"name": "To Be Forgotten"})
    kept = await _seal(sessions, vault, {"name": "Still Here"})
    async with sessions() as session, session.begin():
        await vault.erase(session, erased)
    assert await _unseal(sessions, vault, erased) is None
    assert await _unseal(sessions, vault, kept) == {"name": "Still Here"}
    row = (await platform.sql(SCHEMA, "SELECT * FROM subject_keys WHERE subject_id=$1", erased))[0]
    assert row["wrapped_key"] is None and row["erased_at"] is not None
    with pytest.raises(SubjectErased):
        async with sessions() as session, session.begin():
            await vault.seal(session, erased, {"name": "again"})


async def test_ciphertext_moved_to_another_subject_does_not_decrypt(sessions, vault, platform):
    a = await _seal(sessions, vault, {"name": "Alpha"})
    b = await _seal(sessions, vault, {"name": "Beta"})
    await platform.sql(
        SCHEMA,
        "UPDATE personal_data SET ciphertext = (SELECT ciphertext FROM personal_data "
        "WHERE subject_id=$1) WHERE subject_id=$2",
        a,
        b,
    )
    with pytest.raises(InvalidTag):
        await _unseal(sessions, vault, b)


def test_master_key_must_be_32_bytes_of_base64():
    with pytest.raises(ValueError, match="32 bytes"):
        PersonalDataVault(base64.b64encode(os.urandom(16)).decode())
    with pytest.raises(ValueError, match="base64"):
        PersonalDataVault("not base64!")
