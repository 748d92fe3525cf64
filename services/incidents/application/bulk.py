"""Bulk upload of incidents as CSV or JSON Lines, streamed.

The request body is read chunk by chunk and turned into batches of at most MAX_BATCH rows:
memory holds one batch being parsed and one being written, never the file. Each good row is
stored (a batch per transaction, so a broken connection keeps the batches already written, and
re-sending the file stores nothing twice thanks to the required `source_ref`); each bad row
is reported with its line number, field and rule; the summary counts all of them.

Nothing in a file answers 500: a line that is not UTF-8, longer than MAX_LINE_BYTES (read and
dropped in pieces, so memory stays bounded whatever the file holds), not parseable (a bare CR,
a CSV field over the csv module's limit, JSON nested too deep), holding a control character or
a value the rules refuse is a row error; a batch the database refuses is reported by its lines.
Only a broken CSV header refuses the whole file (422), before anything is stored.

CSV: a header line, then one incident per line (no line breaks inside fields). Columns:
station_id, source_ref, occurred_at, occurred_to, reported_at, location_type, iccs_codes,
national_codes, attempted, weapon, domestic, cyber — the offence columns are lists separated by
";" and aligned by position (one entry per offence; empty entries take the default).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from libs.chassis.auth import Principal
from libs.chassis.db import DATABASE_ERRORS, in_transaction, is_transient
from libs.chassis.errors import RuleViolation
from libs.chassis.uploads import (
    LineProblem,
    Summary,
    checked_row,
    line_parser,
    numbered_lines,
)
from libs.reference.model import Reference

from ..domain.submission import check_submission
from ..schemas import IncidentIn
from .recording import MAX_BATCH, record_incidents

CSV_COLUMNS = (
    "station_id",
    "source_ref",
    "occurred_at",
    "occurred_to",
    "reported_at",
    "location_type",
    "iccs_codes",
    "national_codes",
    "attempted",
    "weapon",
    "domestic",
    "cyber",
)
OFFENCE_LISTS = ("iccs_codes", "national_codes", "attempted", "weapon", "domestic", "cyber")
Results = list[tuple[int, dict[str, str]]]
Write = Callable[[list[IncidentIn]], Coroutine[Any, Any, Results]]
REQUIRED_COLUMNS = {"station_id", "source_ref", "occurred_at"}


def csv_record(header: Sequence[str], values: Sequence[str]) -> dict[str, Any]:
    """A CSV row as the JSON shape of IncidentIn (offence lists split and zipped)."""
    if len(values) != len(header):
        raise RuleViolation("row", f"has {len(values)} fields, the header has {len(header)}")
    row = {k: v.strip() for k, v in zip(header, values, strict=True)}
    lists = {k: (row.pop(k, "") or "").split(";") for k in OFFENCE_LISTS}
    count = max(len(v) for v in lists.values())
    offences = []
    for i in range(count):
        offence = {k: lists[k][i].strip() if i < len(lists[k]) else "" for k in OFFENCE_LISTS}
        offences.append(
            {
                name: offence[column]
                for name, column in (
                    ("iccs_code", "iccs_codes"),
                    ("national_code", "national_codes"),
                    ("attempted", "attempted"),
                    ("weapon", "weapon"),
                    ("domestic", "domestic"),
                    ("cyber", "cyber"),
                )
                if offence[column]
            }
        )
    record: dict[str, Any] = {k: v for k, v in row.items() if v}
    record["offences"] = offences
    return record


def _parser(first_line: str | LineProblem, content_type: str) -> tuple[Callable[[str], Any], bool]:
    """(parse one line, whether the first line was a header)."""
    return line_parser(first_line, content_type, CSV_COLUMNS, REQUIRED_COLUMNS, csv_record)


def validate_row(
    record: Any, principal: Principal, reference: Reference, now: datetime
) -> IncidentIn:
    incident = IncidentIn.model_validate(record)
    if not incident.source_ref:
        raise RuleViolation(
            "source_ref",
            "required in bulk uploads, so that re-sending a file stores nothing twice",
        )
    if principal.station_scoped and incident.station_id != principal.station_id:
        raise RuleViolation("station_id", "a station uploads only its own incidents")
    check_submission(incident, reference, now)
    return incident


async def upload(
    chunks: AsyncIterator[bytes],
    content_type: str,
    principal: Principal,
    reference: Reference,
    write: Write,
) -> Summary:
    """Parse, validate and hand batches to `write` (which stores one batch per transaction).

    Writing the previous batch overlaps with parsing the next, so the database and the parser
    work at the same time; at most two batches are in memory.
    """
    summary = Summary()
    parse: Callable[[str], Any] | None = None
    batch: list[IncidentIn] = []
    lines: list[int] = []  # the line of each row of the batch, to report a refused batch
    writing: Writing | None = None
    now = datetime.now(UTC)
    async for number, line in numbered_lines(chunks, hint="one incident a line"):
        summary.lines = number
        if parse is None:
            parse, had_header = _parser(line, content_type)
            if had_header:
                continue
        incident = _row(parse, line, number, principal, reference, now, summary)
        if incident is not None:
            batch.append(incident)
            lines.append(number)
        if len(batch) >= MAX_BATCH:
            writing = await _handoff(writing, write, batch, lines, summary)
            batch, lines = [], []
    writing = await _handoff(writing, write, batch, lines, summary) if batch else writing
    if writing is not None:
        await _settle(writing, summary)
    return summary


def _row(
    parse: Callable[[str], Any],
    line: str | LineProblem,
    number: int,
    principal: Principal,
    reference: Reference,
    now: datetime,
    summary: Summary,
) -> IncidentIn | None:
    return checked_row(
        summary, number, line, parse, lambda r: validate_row(r, principal, reference, now)
    )


# A batch being written, and the line of each of its rows.
Writing = tuple[asyncio.Task[Results], list[int]]


async def _handoff(
    writing: Writing | None,
    write: Write,
    batch: list[IncidentIn],
    lines: list[int],
    summary: Summary,
) -> Writing:
    if writing is not None:
        await _settle(writing, summary)
    return asyncio.create_task(write(batch)), lines


async def _settle(writing: Writing, summary: Summary) -> None:
    """Count a written batch. A batch the database refuses (not a database that is down:
    that is a 503 and the client re-sends) is reported by its lines and the file goes on."""
    task, lines = writing
    try:
        results = await task
    except DATABASE_ERRORS as exc:
        if is_transient(exc):
            raise
        summary.reject(
            lines[0], "row", f"lines {lines[0]}-{lines[-1]}: the database refused the batch"
        )
        summary.rejected += len(lines)
        return
    _count(results, summary)


def _count(results: Results, summary: Summary) -> None:
    for status, _ in results:
        if status == 201:
            summary.stored += 1
        else:
            summary.duplicates += 1


def batch_writer(sessions: async_sessionmaker[AsyncSession], reference: Reference) -> Write:
    """Store each batch in its own transaction: a connection dropped mid-file keeps the batches
    already written, and re-sending the file stores only the rest (`source_ref`)."""

    async def write(batch: list[IncidentIn]) -> Results:
        return await in_transaction(
            sessions,
            partial(record_incidents, bodies=batch, reference=reference, now=datetime.now(UTC)),
        )

    return write
