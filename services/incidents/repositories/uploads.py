"""Upload jobs: the job row, the uploaded file's pieces, the error report (migration 0005)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.uploads import MAX_REPORTED_ERRORS

JOB_COLUMNS = (
    "job_id, subject, station_scoped, station_id, content_type, state, bytes, chunks, lines,"
    " stored, duplicates, rejected, errors, resume_line, attempts, failure, created_at,"
    " updated_at, finished_at"
)


async def create(
    session: AsyncSession,
    job_id: UUID,
    subject: str,
    station_scoped: bool,
    station_id: str | None,
    content_type: str,
) -> None:
    await session.execute(
        text(
            "INSERT INTO upload_jobs (job_id, subject, station_scoped, station_id, content_type,"
            " state) VALUES (:id, :subject, :scoped, :station, :type, 'receiving')"
        ),
        {
            "id": job_id,
            "subject": subject[:128],
            "scoped": station_scoped,
            "station": station_id,
            "type": content_type[:100],
        },
    )


async def add_chunk(session: AsyncSession, job_id: UUID, seq: int, data: bytes) -> None:
    await session.execute(
        text("INSERT INTO upload_job_chunks (job_id, seq, data) VALUES (:id, :seq, :data)"),
        {"id": job_id, "seq": seq, "data": data},
    )
    await session.execute(
        text(
            "UPDATE upload_jobs SET bytes = bytes + :n, chunks = :chunks, updated_at = now()"
            " WHERE job_id = :id"
        ),
        {"id": job_id, "n": len(data), "chunks": seq + 1},
    )


async def chunk(session: AsyncSession, job_id: UUID, seq: int) -> bytes | None:
    data: bytes | None = (
        await session.execute(
            text("SELECT data FROM upload_job_chunks WHERE job_id = :id AND seq = :seq"),
            {"id": job_id, "seq": seq},
        )
    ).scalar()
    return data


async def set_state(
    session: AsyncSession, job_id: UUID, state: str, failure: str | None = None
) -> None:
    """Move a job to `state`; a job that ended (done, failed) gives up its file's bytes."""
    ended = state in ("done", "failed")
    await session.execute(
        text(
            "UPDATE upload_jobs SET state = :state, failure = coalesce(:failure, failure),"
            " updated_at = now(),"
            " finished_at = CASE WHEN :ended THEN now() ELSE finished_at END"
            " WHERE job_id = :id"
        ),
        {"id": job_id, "state": state, "failure": failure, "ended": ended},
    )
    if ended:
        await session.execute(
            text("DELETE FROM upload_job_chunks WHERE job_id = :id"), {"id": job_id}
        )


async def claim(session: AsyncSession, job_id: UUID, lease_seconds: float) -> dict[str, Any] | None:
    """Take a queued job, or a running one whose process stopped renewing its lease; None
    when another process holds it (or it ended). One statement: two replicas never both win."""
    row = (
        await session.execute(
            text(
                "UPDATE upload_jobs SET state = 'running', attempts = attempts + 1,"
                " updated_at = now() WHERE job_id = :id AND (state = 'queued' OR"
                " (state = 'running' AND updated_at < now() - make_interval(secs => :lease)))"
                f" RETURNING {JOB_COLUMNS}"
            ),
            {"id": job_id, "lease": lease_seconds},
        )
    ).one_or_none()
    return dict(row._mapping) if row else None


async def claimable(session: AsyncSession, lease_seconds: float, limit: int = 10) -> list[UUID]:
    """Jobs waiting for a process: queued, or running with an expired lease (oldest first)."""
    rows = await session.execute(
        text(
            "SELECT job_id FROM upload_jobs WHERE state = 'queued' OR (state = 'running'"
            " AND updated_at < now() - make_interval(secs => :lease))"
            " ORDER BY updated_at LIMIT :limit"
        ),
        {"lease": lease_seconds, "limit": limit},
    )
    return list(rows.scalars())


async def renew(session: AsyncSession, job_id: UUID) -> None:
    await session.execute(
        text("UPDATE upload_jobs SET updated_at = now() WHERE job_id = :id AND state = 'running'"),
        {"id": job_id},
    )


async def progress(
    session: AsyncSession,
    job_id: UUID,
    *,
    last_line: int,
    stored: int,
    duplicates: int,
    rejected: int,
    errors: Sequence[dict[str, Any]],
) -> None:
    """Count a settled batch, in the transaction that stored its rows: the counters, the
    line the job resumes after, and the batch's errors (numbered on from the job's count,
    while the report holds fewer than MAX_REPORTED_ERRORS)."""
    before: int = (
        await session.execute(
            text("SELECT errors FROM upload_jobs WHERE job_id = :id FOR UPDATE"), {"id": job_id}
        )
    ).scalar_one()
    await session.execute(
        text(
            "UPDATE upload_jobs SET lines = greatest(lines, :line),"
            " resume_line = greatest(resume_line, :line), stored = stored + :stored,"
            " duplicates = duplicates + :duplicates, rejected = rejected + :rejected,"
            " errors = least(errors + :n, :max), updated_at = now() WHERE job_id = :id"
        ),
        {
            "id": job_id,
            "line": last_line,
            "stored": stored,
            "duplicates": duplicates,
            "rejected": rejected,
            "n": len(errors),
            "max": MAX_REPORTED_ERRORS,
        },
    )
    room = MAX_REPORTED_ERRORS - before
    kept = list(errors[: max(room, 0)])
    if kept:
        await session.execute(
            text(
                "INSERT INTO upload_job_errors (job_id, n, line, field, rule)"
                " SELECT :id, :start + ordinality, line, field, rule FROM unnest("
                " CAST(:lines AS int[]), CAST(:fields AS text[]), CAST(:rules AS text[]))"
                " WITH ORDINALITY AS e(line, field, rule)"
            ),
            {
                "id": job_id,
                "start": before,
                "lines": [e["line"] for e in kept],
                "fields": [e["field"] for e in kept],
                "rules": [e["rule"] for e in kept],
            },
        )


async def one(
    session: AsyncSession, job_id: UUID, station_id: str | None, scoped: bool
) -> dict[str, Any] | None:
    """The job, if the caller's scope covers it: a station officer's own station's jobs only."""
    row = (
        await session.execute(
            text(
                f"SELECT {JOB_COLUMNS} FROM upload_jobs WHERE job_id = :id"
                " AND (NOT :scoped OR (station_scoped AND station_id = :station))"
            ),
            {"id": job_id, "scoped": scoped, "station": station_id},
        )
    ).one_or_none()
    return dict(row._mapping) if row else None


async def errors(
    session: AsyncSession, job_id: UUID, after: int, limit: int
) -> list[dict[str, Any]]:
    rows = await session.execute(
        text(
            "SELECT n, line, field, rule FROM upload_job_errors WHERE job_id = :id AND n > :after"
            " ORDER BY n LIMIT :limit"
        ),
        {"id": job_id, "after": after, "limit": limit},
    )
    return [dict(r._mapping) for r in rows]
