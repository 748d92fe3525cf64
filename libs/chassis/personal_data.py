"""Personal data at rest: envelope encryption per data subject, audited reads, crypto-shredding.

Each data subject (a complainant, a forum member) gets a random 32-byte data key. The key is
stored wrapped (AES-GCM) with the service's master key (`settings.personal_data_key`), and every
field of the subject's personal data is encrypted with the subject's key, the associated data
binding the ciphertext to its subject and field (so a ciphertext copied to another row does not
decrypt). Erasing a subject drops its wrapped key: the ciphertext becomes unreadable everywhere,
backups included, while the case records that refer to the subject by id stay intact.

Master keys rotate without re-encrypting any field: the vault takes the current master key and
any previous ones; each wrapped key records the id (a fingerprint) of the master key that
wrapped it, new keys are wrapped with the current one, and `rewrap` moves the remaining keys
over in batches. Once none is left under a previous key, that key can be retired.

Every read goes through `unseal`, which writes an audit row (who, when, in which role, which
fields, why) in the caller's transaction: a read that is not audited does not commit either.

A service's own Alembic migration creates the tables in its schema::

    from sqlalchemy import MetaData
    from libs.chassis.personal_data import personal_data_tables

    def upgrade() -> None:
        metadata = MetaData()
        personal_data_tables(metadata)
        metadata.create_all(op.get_bind())
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Mapping, Sequence
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    LargeBinary,
    MetaData,
    String,
    Table,
    Uuid,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal

KEY_BYTES = 32
NONCE_BYTES = 12  # AES-GCM's standard nonce; random per encryption
FIELD_MAX = 64
KEY_ID_CHARS = 16
PURPOSE_MAX = 200


def personal_data_tables(metadata: MetaData) -> tuple[Table, Table, Table]:
    """The three vault tables (subject keys, encrypted fields, read audit) on `metadata`."""
    subject_keys = Table(
        "subject_keys",
        metadata,
        Column("subject_id", Uuid, primary_key=True),
        Column("wrapped_key", LargeBinary, nullable=True),  # NULL once erased
        # Which master key wrapped it (its fingerprint), so rotation knows what is left to move.
        Column("master_key_id", String(KEY_ID_CHARS), nullable=True, index=True),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("erased_at", DateTime(timezone=True), nullable=True),
    )
    personal_data = Table(
        "personal_data",
        metadata,
        Column(
            "subject_id",
            Uuid,
            ForeignKey("subject_keys.subject_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        Column("field", String(FIELD_MAX), primary_key=True),
        Column("ciphertext", LargeBinary, nullable=False),
    )
    reads = Table(
        "personal_data_reads",
        metadata,
        Column("id", BigInteger, Identity(always=True), primary_key=True),
        Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("actor", String(200), nullable=False),
        Column("role", String(200), nullable=False),
        Column("subject_id", Uuid, nullable=False, index=True),
        Column("fields", ARRAY(String(FIELD_MAX)), nullable=False),
        Column("purpose", String(PURPOSE_MAX), nullable=False),
    )
    return subject_keys, personal_data, reads


# The vault's own view of the tables; the session's search_path picks the service's schema.
_subject_keys, _personal_data, _reads = personal_data_tables(MetaData())


class SubjectErased(Exception):
    """Sealing new data for a subject whose key was shredded."""


def _decode_master_key(key_b64: str) -> bytes:
    try:
        key = base64.b64decode(key_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("personal data key must be base64") from exc
    if len(key) != KEY_BYTES:
        raise ValueError(f"personal data key must be base64 of {KEY_BYTES} bytes, not {len(key)}")
    return key


def master_key_id(key: bytes) -> str:
    """A fingerprint naming a master key in the database without revealing it."""
    return hashlib.sha256(b"jisr-personal-data-master-key\x00" + key).hexdigest()[:KEY_ID_CHARS]


def _previous(previous_keys_b64: str | Sequence[str]) -> list[str]:
    if isinstance(previous_keys_b64, str):  # the setting: comma-separated
        return [k.strip() for k in previous_keys_b64.split(",") if k.strip()]
    return list(previous_keys_b64)


def _encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _decrypt(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)


def _key_aad(subject_id: UUID) -> bytes:
    return b"subject-key:" + subject_id.bytes


def _field_aad(subject_id: UUID, field: str) -> bytes:
    return b"field:" + subject_id.bytes + b":" + field.encode()


class PersonalDataVault:
    """Seal, unseal (audited) and erase one subject's personal data, in the caller's session."""

    def __init__(self, key_b64: str, previous_keys_b64: str | Sequence[str] = ()) -> None:
        """`key_b64` wraps new keys; `previous_keys_b64` (during a rotation) still unwrap."""
        self._master = _decode_master_key(key_b64)
        self.key_id = master_key_id(self._master)
        self._masters = {self.key_id: self._master}
        for previous in _previous(previous_keys_b64):
            key = _decode_master_key(previous)
            self._masters.setdefault(master_key_id(key), key)

    async def seal(
        self, session: AsyncSession, subject_id: UUID, data: Mapping[str, str | None]
    ) -> None:
        """Store (or replace) fields; a None value removes that field."""
        for field in data:
            if not field or len(field) > FIELD_MAX:
                raise ValueError(f"field name must be 1..{FIELD_MAX} characters: {field!r}")
        key = await self._subject_key(session, subject_id)
        for field, value in data.items():
            where = (_personal_data.c.subject_id == subject_id) & (_personal_data.c.field == field)
            if value is None:
                await session.execute(delete(_personal_data).where(where))
                continue
            ciphertext = _encrypt(key, value.encode(), _field_aad(subject_id, field))
            statement = pg_insert(_personal_data).values(
                subject_id=subject_id, field=field, ciphertext=ciphertext
            )
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["subject_id", "field"], set_={"ciphertext": ciphertext}
                )
            )

    async def unseal(
        self,
        session: AsyncSession,
        subject_id: UUID,
        *,
        principal: Principal,
        purpose: str,
        fields: Sequence[str] | None = None,
    ) -> dict[str, str | None] | None:
        """The subject's fields (all, or `fields`), audited; None if unknown or erased."""
        if not purpose.strip():
            raise ValueError("purpose is required to read personal data")
        row = (
            await session.execute(
                select(_subject_keys.c.wrapped_key, _subject_keys.c.master_key_id).where(
                    _subject_keys.c.subject_id == subject_id
                )
            )
        ).first()
        if row is None:
            return None
        query = select(_personal_data.c.field, _personal_data.c.ciphertext).where(
            _personal_data.c.subject_id == subject_id
        )
        if fields is not None:
            query = query.where(_personal_data.c.field.in_(list(fields)))
        stored = dict((await session.execute(query)).tuples().all())
        read_fields = sorted(fields if fields is not None else stored)
        await session.execute(
            insert(_reads).values(
                actor=principal.subject[:200],
                role=",".join(sorted(principal.roles))[:200],
                subject_id=subject_id,
                fields=read_fields,
                purpose=purpose[:PURPOSE_MAX],
            )
        )
        if row.wrapped_key is None:
            return None  # erased: the attempt is audited, nothing is readable
        key = self._unwrap(subject_id, row.wrapped_key, row.master_key_id)
        return {
            field: (
                _decrypt(key, stored[field], _field_aad(subject_id, field)).decode()
                if field in stored
                else None
            )
            for field in read_fields
        }

    async def erase(self, session: AsyncSession, subject_id: UUID) -> None:
        """Crypto-shred: drop the wrapped key (and the now unreadable ciphertext)."""
        await session.execute(
            update(_subject_keys)
            .where(_subject_keys.c.subject_id == subject_id)
            .values(
                wrapped_key=None, erased_at=func.coalesce(_subject_keys.c.erased_at, func.now())
            )
        )
        await session.execute(
            delete(_personal_data).where(_personal_data.c.subject_id == subject_id)
        )

    async def _subject_key(self, session: AsyncSession, subject_id: UUID) -> bytes:
        """The subject's data key, created on first use."""
        row = (
            await session.execute(
                select(
                    _subject_keys.c.wrapped_key,
                    _subject_keys.c.master_key_id,
                    _subject_keys.c.erased_at,
                )
                .where(_subject_keys.c.subject_id == subject_id)
                .with_for_update()
            )
        ).first()
        if row is not None:
            if row.erased_at is not None:
                raise SubjectErased(f"personal data of subject {subject_id} was erased")
            return self._unwrap(subject_id, row.wrapped_key, row.master_key_id)
        key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
        await session.execute(
            insert(_subject_keys).values(
                subject_id=subject_id,
                wrapped_key=_encrypt(self._master, key, _key_aad(subject_id)),
                master_key_id=self.key_id,
            )
        )
        return key

    def _unwrap(self, subject_id: UUID, wrapped: bytes, key_id: str | None) -> bytes:
        master = self._masters.get(key_id) if key_id else self._master
        if master is None:
            raise ValueError(
                f"the data key of subject {subject_id} is wrapped with master key {key_id}, "
                "which is neither the current nor a previous personal-data key"
            )
        try:
            return _decrypt(master, wrapped, _key_aad(subject_id))
        except InvalidTag as exc:
            # Wrong master key, or a key row moved to another subject: never guess.
            raise ValueError(f"cannot unwrap the data key of subject {subject_id}") from exc

    async def rewrap(self, session: AsyncSession, batch: int = 500) -> int:
        """Re-wrap up to `batch` data keys still under a previous master key with the current
        one; returns how many. Rows are locked and skipped if locked, so replicas may run it
        at once; repeat until it returns 0."""
        rows = (
            await session.execute(
                select(
                    _subject_keys.c.subject_id,
                    _subject_keys.c.wrapped_key,
                    _subject_keys.c.master_key_id,
                )
                .where(_subject_keys.c.wrapped_key.is_not(None))
                .where(_subject_keys.c.master_key_id.is_distinct_from(self.key_id))
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for row in rows:
            key = self._unwrap(row.subject_id, row.wrapped_key, row.master_key_id)
            await session.execute(
                update(_subject_keys)
                .where(_subject_keys.c.subject_id == row.subject_id)
                .values(
                    wrapped_key=_encrypt(self._master, key, _key_aad(row.subject_id)),
                    master_key_id=self.key_id,
                )
            )
        return len(rows)


async def keys_by_master(session: AsyncSession) -> dict[str, int]:
    """How many live (not erased) data keys each master key id wraps."""
    rows = await session.execute(
        select(_subject_keys.c.master_key_id, func.count())
        .where(_subject_keys.c.wrapped_key.is_not(None))
        .group_by(_subject_keys.c.master_key_id)
    )
    return {key_id or "unknown": n for key_id, n in rows.tuples()}
