"""Incident rows, their offences and their classification versions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from sqlalchemy import select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.db import copy_rows
from libs.chassis.uploads import copy_text
from libs.contracts.incidents import Offence

from ..tables import incident_versions, incidents, offences

OFFENCE_COLUMNS = (
    "incident_id",
    "seq",
    "iccs_code",
    "national_code",
    "attempted",
    "weapon",
    "domestic",
    "cyber",
)
VERSION_COLUMNS = (
    "incident_id",
    "version",
    "valid_from",
    "valid_to",
    "status",
    "categories",
    "station_id",
    "district_code",
    "governorate_code",
    "occurred_at",
    "week_start",
    "counting_rules_version",
)


def offence_rows(incident_id: UUID, resolved: Sequence[Offence]) -> list[tuple[Any, ...]]:
    """COPY records of an incident's offences, numbered in the order given."""
    return [
        (incident_id, i, o.iccs_code, o.national_code, o.attempted, o.weapon, o.domestic, o.cyber)
        for i, o in enumerate(resolved)
    ]


async def insert_new(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> set[UUID]:
    """Insert incident rows; returns the ids stored. A (station, source_ref) pair already
    stored is skipped: the submission is a retry."""
    # executemany form: one cached compiled statement, batched by SQLAlchemy's insertmanyvalues
    result = await session.execute(
        insert(incidents)
        .on_conflict_do_nothing(constraint="incidents_station_source_ref")
        .returning(incidents.c.incident_id),
        list(rows),
    )
    return set(result.scalars())


#: The columns a bulk batch gives each incident row (the rest take their defaults).
COPY_COLUMNS = (
    "incident_id",
    "station_id",
    "district_code",
    "governorate_code",
    "boundary_version",
    "location_type",
    "source_ref",
    "occurred_at",
    "occurred_to",
    "reported_at",
    "recorded_at",
    "counting_rules_version",
    "victims",
    "offenders",
)


async def copy_new(session: AsyncSession, lines: Sequence[str]) -> set[str]:
    """Insert incident rows (COPY text lines, fields in COPY_COLUMNS order) by COPY into a
    temporary table and one INSERT ... ON CONFLICT from it; returns the ids stored (as text).
    As `insert_new`, a (station, source_ref) already stored, or twice in the batch, is
    skipped: a retry, not an error.

    The temporary table lives as long as the pooled connection and is emptied at each commit:
    a batch costs a COPY and one statement, not a statement per row."""
    if not lines:
        return set()
    columns = ", ".join(COPY_COLUMNS)
    await session.execute(
        text(
            "CREATE TEMPORARY TABLE IF NOT EXISTS bulk_incidents ON COMMIT DELETE ROWS"
            f" AS SELECT {columns} FROM incidents WITH NO DATA"
        )
    )
    await copy_text(session, "bulk_incidents", COPY_COLUMNS, lines)
    result = await session.execute(
        text(
            f"INSERT INTO incidents ({columns}) SELECT {columns} FROM bulk_incidents"
            " ON CONFLICT ON CONSTRAINT incidents_station_source_ref DO NOTHING"
            " RETURNING incident_id::text"
        )
    )
    return set(result.scalars())


async def ids_by_source_ref(
    session: AsyncSession, keys: Iterable[tuple[str, str | None]]
) -> dict[tuple[str, str | None], str]:
    """Ids already stored for (station, source_ref) pairs."""
    wanted = list(set(keys))
    if not wanted:
        return {}
    rows = await session.execute(
        select(incidents.c.station_id, incidents.c.source_ref, incidents.c.incident_id).where(
            tuple_(incidents.c.station_id, incidents.c.source_ref).in_(wanted)
        )
    )
    return {(r.station_id, r.source_ref): str(r.incident_id) for r in rows}


async def add_offences(session: AsyncSession, records: Sequence[tuple[Any, ...]]) -> None:
    await copy_rows(session, "offences", OFFENCE_COLUMNS, records)


async def replace_offences(
    session: AsyncSession, incident_id: UUID, records: Sequence[tuple[Any, ...]]
) -> None:
    await session.execute(offences.delete().where(offences.c.incident_id == incident_id))
    await add_offences(session, records)


async def add_offence_lines(session: AsyncSession, lines: Sequence[str]) -> None:
    """Offences as COPY text lines in OFFENCE_COLUMNS order (the bulk path)."""
    await copy_text(session, "offences", OFFENCE_COLUMNS, lines)


async def add_version_lines(session: AsyncSession, lines: Sequence[str]) -> None:
    """Classification versions as COPY text lines in VERSION_COLUMNS order (the bulk path)."""
    await copy_text(session, "incident_versions", VERSION_COLUMNS, lines)


async def add_versions(session: AsyncSession, records: Sequence[tuple[Any, ...]]) -> None:
    """Classification versions, as tuples in VERSION_COLUMNS order."""
    await copy_rows(session, "incident_versions", VERSION_COLUMNS, records)


async def locked(session: AsyncSession, incident_id: UUID) -> dict[str, Any] | None:
    """The incident, locked for the rest of the transaction (None if there is none)."""
    row = (
        await session.execute(
            select(incidents).where(incidents.c.incident_id == incident_id).with_for_update()
        )
    ).one_or_none()
    return dict(row._mapping) if row else None


async def current_version(session: AsyncSession, incident_id: UUID) -> dict[str, Any]:
    row = (
        await session.execute(
            select(incident_versions).where(
                incident_versions.c.incident_id == incident_id,
                incident_versions.c.valid_to.is_(None),
            )
        )
    ).one()
    return dict(row._mapping)


async def supersede_version(
    session: AsyncSession, current: Mapping[str, Any], following: Mapping[str, Any], now: datetime
) -> None:
    """Close the current classification version at `now` and open `following` after it."""
    await session.execute(
        update(incident_versions)
        .where(
            incident_versions.c.incident_id == current["incident_id"],
            incident_versions.c.version == current["version"],
        )
        .values(valid_to=now)
    )
    await add_versions(session, [tuple(following[c] for c in VERSION_COLUMNS)])


async def set_columns(session: AsyncSession, incident_id: UUID, **values: Any) -> None:
    await session.execute(
        update(incidents).where(incidents.c.incident_id == incident_id).values(**values)
    )


async def one(session: AsyncSession, incident_id: UUID) -> dict[str, Any] | None:
    """The incident with its offences (in order, without their keys), or None."""
    row = (
        await session.execute(select(incidents).where(incidents.c.incident_id == incident_id))
    ).one_or_none()
    if row is None:
        return None
    rows = await session.execute(
        select(offences).where(offences.c.incident_id == incident_id).order_by(offences.c.seq)
    )
    listed = [
        {k: v for k, v in o._mapping.items() if k not in ("incident_id", "seq")} for o in rows
    ]
    return {**row._mapping, "offences": listed}


async def newest(session: AsyncSession, station_id: str | None, limit: int) -> list[dict[str, Any]]:
    """Incidents, newest recorded first; of one station when `station_id` is given."""
    query = select(incidents).order_by(incidents.c.recorded_at.desc()).limit(limit)
    if station_id is not None:
        query = query.where(incidents.c.station_id == station_id)
    return [dict(row._mapping) for row in (await session.execute(query)).all()]


async def stored_source_refs(
    session: AsyncSession, stations: Sequence[str], refs: Sequence[str]
) -> int:
    """How many of the (station, source_ref) pairs (given as two aligned lists) are stored."""
    found = await session.scalar(
        text(
            "SELECT count(*) FROM incidents i JOIN unnest(CAST(:stations AS varchar[]),"
            " CAST(:refs AS varchar[])) AS k(s, r) ON i.station_id = k.s AND i.source_ref = k.r"
        ),
        {"stations": list(stations), "refs": list(refs)},
    )
    return int(found or 0)


async def copy_all_new(session: AsyncSession, lines: Sequence[str]) -> bool:
    """COPY incident rows (as `copy_new`'s lines) straight into `incidents`, for a batch known
    to hold no (station, source_ref) stored or repeated: no temporary table and no speculative
    insertion per row, a third of `copy_new`'s time. In a savepoint: if another upload stored
    one of the pairs meanwhile, the unique index refuses the COPY, nothing of it stays, and
    False tells the caller to take `copy_new` instead."""
    try:
        async with session.begin_nested():
            await copy_text(session, "incidents", COPY_COLUMNS, lines)
    except asyncpg.UniqueViolationError:
        return False
    return True
