"""Large bulk uploads as jobs: received, then stored in the background, progress polled.

`receive` keeps the request's bytes in `upload_job_chunks` (pieces of about 1 MiB, each its
own short transaction) and queues the job; the route answers 202 with it. `run` stores the
file with the same parser, rules and batches as the synchronous upload (`bulk.upload`), and
counts each batch in the job in the very transaction that stores it: the job's counters and
`resume_line` are always exactly what is in the tables.

If the process stops mid-job (a restart, a crash, the database away), the job stays
`running` and its lease (`updated_at`, renewed by every batch and every LEASE_SECONDS / 3)
runs out; the sweeper of any live replica (`upload_jobs`, a background task) claims it and
resumes after `resume_line`: the batches already committed are neither stored nor counted
again, the one that was in flight is redone (its rows were rolled back with it), and
`attempts` says how many runs it took. After MAX_ATTEMPTS the job is `failed`, its file
dropped; re-sending the file is safe (source_ref: what was stored counts as duplicates).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from uuid6 import uuid7

from libs.chassis.auth import Principal
from libs.chassis.db import DATABASE_ERRORS, in_transaction, is_transient
from libs.chassis.errors import RuleViolation
from libs.chassis.service import Runtime
from libs.chassis.uploads import MAX_REPORTED_ERRORS
from libs.reference import load_reference
from libs.reference.model import Reference

from ..repositories import uploads
from .bulk import Batch, Scope, store_batch, upload

log = logging.getLogger(__name__)

#: A declared body larger than this is a job even without `Prefer: respond-async` (about
#: 100,000 rows: a synchronous answer would take longer than a client should wait).
ASYNC_ABOVE_BYTES = 8 * 1024 * 1024
#: Pieces of the file as kept in the database.
PIECE_BYTES = 1024 * 1024
#: A running job whose lease was not renewed for this long lost its process.
LEASE_SECONDS = 30.0
#: How often each replica looks for jobs no process runs.
SWEEP_SECONDS = 15.0
#: Runs of one job before it is failed (a file the database keeps refusing, say).
MAX_ATTEMPTS = 5

Sessions = async_sessionmaker[AsyncSession]


def wants_job(prefer: str | None, content_length: str | None) -> bool:
    """`Prefer: respond-async` (RFC 7240), or a declared length over ASYNC_ABOVE_BYTES."""
    if prefer and any(p.strip().lower() == "respond-async" for p in prefer.split(",")):
        return True
    return bool(content_length and content_length.isdigit()) and int(content_length or 0) > (
        ASYNC_ABOVE_BYTES
    )


async def receive(
    sessions: Sessions,
    chunks: AsyncIterator[bytes],
    content_type: str,
    scope: Scope,
    subject: str,
) -> dict[str, Any]:
    """Keep the body as the job's pieces and queue the job. A body that stops coming (the
    client went away) fails the job and drops what had arrived."""
    job_id = uuid7()
    await in_transaction(
        sessions,
        lambda s: uploads.create(
            s, job_id, subject, scope.station_scoped, scope.station_id, content_type
        ),
    )
    seq = 0
    buffer = bytearray()
    try:
        async for chunk in chunks:
            buffer += chunk
            if len(buffer) >= PIECE_BYTES:
                piece, buffer = bytes(buffer), bytearray()
                await in_transaction(sessions, _adding(job_id, seq, piece))
                seq += 1
        if buffer:
            await in_transaction(sessions, _adding(job_id, seq, bytes(buffer)))
        await in_transaction(sessions, lambda s: uploads.set_state(s, job_id, "queued"))
    except BaseException:
        with contextlib.suppress(*DATABASE_ERRORS):
            await in_transaction(
                sessions,
                lambda s: uploads.set_state(
                    s, job_id, "failed", "the upload was interrupted before the file arrived"
                ),
            )
        raise
    job = await in_transaction(sessions, lambda s: uploads.one(s, job_id, None, False))
    assert job is not None
    return job


def _adding(job_id: UUID, seq: int, piece: bytes) -> Any:
    return lambda s: uploads.add_chunk(s, job_id, seq, piece)


class JobWriter:
    """Stores each batch and counts it in the job, in one transaction."""

    def __init__(self, sessions: Sessions, reference: Reference, job_id: UUID) -> None:
        self.sessions, self.reference, self.job_id = sessions, reference, job_id

    async def store(self, batch: Batch) -> tuple[int, int]:
        now = datetime.now(UTC)

        async def work(session: AsyncSession) -> tuple[int, int]:
            stored, duplicates = await store_batch(
                session, batch.rows, self.reference, now, batch.encoded
            )
            await uploads.progress(
                session,
                self.job_id,
                last_line=batch.last_line,
                stored=stored,
                duplicates=duplicates,
                rejected=batch.rejected,
                errors=batch.errors,
            )
            return stored, duplicates

        return await in_transaction(self.sessions, work)

    async def refused(self, batch: Batch, error: dict[str, Any]) -> None:
        await in_transaction(
            self.sessions,
            lambda session: uploads.progress(
                session,
                self.job_id,
                last_line=batch.last_line,
                stored=0,
                duplicates=0,
                rejected=batch.rejected + len(batch.rows),
                errors=[*batch.errors, error],
            ),
        )


async def _pieces(sessions: Sessions, job_id: UUID, count: int) -> AsyncIterator[bytes]:
    for seq in range(count):
        data = await in_transaction(sessions, partial(uploads.chunk, job_id=job_id, seq=seq))
        if data is None:
            raise RuntimeError(f"piece {seq} of upload job {job_id} is missing")
        yield data


async def run(sessions: Sessions, reference: Reference, job_id: UUID) -> str | None:
    """Run (or resume) the job if no other process holds it; returns the state it ended in,
    None when it was not ours to run. A database that goes away leaves it running: its lease
    runs out and a sweeper resumes it."""
    job = await in_transaction(sessions, lambda s: uploads.claim(s, job_id, LEASE_SECONDS))
    if job is None:
        return None
    if job["attempts"] > MAX_ATTEMPTS:
        await _end(sessions, job_id, "failed", f"stopped after {MAX_ATTEMPTS} attempts")
        return "failed"
    scope = Scope(job["station_scoped"], job["station_id"])
    renewing = asyncio.create_task(_renew(sessions, job_id))
    try:
        await upload(
            _pieces(sessions, job_id, job["chunks"]),
            job["content_type"],
            scope,
            reference,
            JobWriter(sessions, reference, job_id),
            skip_through=job["resume_line"],
            keep_errors=False,
        )
    except RuleViolation as exc:  # the CSV header: nothing in the file can be stored
        error = {"line": 1, "field": ".".join(map(str, exc.loc)), "rule": exc.rule}
        await in_transaction(
            sessions,
            lambda s: uploads.progress(
                s, job_id, last_line=0, stored=0, duplicates=0, rejected=0, errors=[error]
            ),
        )
        await _end(sessions, job_id, "failed", exc.rule)
        return "failed"
    except DATABASE_ERRORS as exc:
        if not is_transient(exc):
            await _end(sessions, job_id, "failed", f"the database refused: {type(exc).__name__}")
            return "failed"
        log.warning("upload job interrupted; it resumes", extra={"job_id": str(job_id)})
        return "running"
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
    await _end(sessions, job_id, "done")
    return "done"


async def _end(sessions: Sessions, job_id: UUID, state: str, failure: str | None = None) -> None:
    await in_transaction(sessions, lambda s: uploads.set_state(s, job_id, state, failure))


async def _renew(sessions: Sessions, job_id: UUID) -> None:
    """Keep the lease while the job runs, even through a slow batch."""
    while True:
        await asyncio.sleep(LEASE_SECONDS / 3)
        with contextlib.suppress(*DATABASE_ERRORS):
            await in_transaction(sessions, lambda s: uploads.renew(s, job_id))


async def sweep(sessions: Sessions, reference: Reference) -> list[UUID]:
    """Run the jobs waiting for a process (queued, or whose lease ran out), one by one."""
    waiting = await in_transaction(sessions, lambda s: uploads.claimable(s, LEASE_SECONDS))
    for job_id in waiting:
        await run(sessions, reference, job_id)
    return waiting


# Jobs started by this process, kept so that a running one is not garbage-collected.
_running: set[asyncio.Task[Any]] = set()


def start(sessions: Sessions, reference: Reference, job_id: UUID) -> None:
    """Run the job in the background of this process (the sweeper takes it if we stop)."""
    task = asyncio.create_task(_logged(run(sessions, reference, job_id), job_id))
    _running.add(task)
    task.add_done_callback(_running.discard)


async def _logged(work: Awaitable[Any], job_id: UUID) -> None:
    try:
        await work
    except Exception as exc:  # left running: its lease runs out and a sweeper resumes it
        log.warning(
            "upload job stopped; it resumes",
            extra={"job_id": str(job_id), "error": type(exc).__name__},
        )


async def upload_jobs(rt: Runtime) -> None:
    """The background sweeper: every SWEEP_SECONDS, run the jobs no process is running
    (queued, or whose lease ran out: their process stopped) — after a restart, this is what
    resumes them."""
    while True:
        await asyncio.sleep(SWEEP_SECONDS)
        try:
            await sweep(rt.sessions, load_reference())
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database away: the jobs wait for the next sweep
            log.warning("upload job sweep failed", extra={"error": type(exc).__name__})


async def job(session: AsyncSession, job_id: UUID, principal: Principal) -> dict[str, Any]:
    """The job, if it is the caller's: a station officer sees their station's jobs, an
    admin every job; anyone else's is a 404 (its existence is not told)."""
    found = await uploads.one(session, job_id, principal.station_id, principal.station_scoped)
    if found is None:
        raise RuleViolation.not_found("no such upload job")
    return job_view(found)


async def error_page(
    session: AsyncSession, job_id: UUID, principal: Principal, after: int, limit: int
) -> dict[str, Any]:
    """A page of the job's error report, in the order the errors were found."""
    await job(session, job_id, principal)
    errors = await uploads.errors(session, job_id, after, limit)
    return {
        "job_id": job_id,
        "errors": errors,
        "next_after": errors[-1]["n"] if len(errors) == limit else None,
    }


def job_view(job: dict[str, Any]) -> dict[str, Any]:
    """The job as `GET /v1/incidents/uploads/{id}` answers it."""
    job_id = job["job_id"]
    return {
        "job_id": job_id,
        "state": job["state"],
        "bytes_received": job["bytes"],
        "lines": job["lines"],
        "stored": job["stored"],
        "duplicates": job["duplicates"],
        "rejected": job["rejected"],
        "errors_reported": job["errors"],
        "errors_truncated": job["errors"] >= MAX_REPORTED_ERRORS,
        "attempts": job["attempts"],
        "failure": job["failure"],
        "created_at": job["created_at"],
        "updated_at": job["updated_at"],
        "finished_at": job["finished_at"],
        "errors_url": f"/v1/incidents/uploads/{job_id}/errors",
    }
