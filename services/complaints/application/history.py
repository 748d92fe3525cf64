"""Bringing history in: past complaints as CSV or JSON Lines, streamed, each row checked on
its own, stored in batches, entering the ledger and the events marked as imported.

The body is read chunk by chunk; a line longer than MAX_LINE_BYTES is reported and skipped
without being held. Each good row is stored once per `source_reference` (re-sending a file,
or a part of it after a broken connection, stores only what is missing); each bad row is
reported with its line number, field and rule while the good rows around it are stored; the
summary counts all of them. Rows carry codes and dates only: no names, contacts or narrative.

JSON Lines: one object per line, the fields of `HistoricalComplaint`, allegations as a list of
{category, against, unit_code, station_id, finding}.

CSV: a header line, then one complaint per line (no line breaks inside fields). Columns:
source_reference, received_at, channel, station_id, governorate_code, categories, against,
unit_codes, findings, status, status_at, findings_at, outcome, outcome_at, reason, age_band,
anonymous, language — categories, against, unit_codes and findings are lists separated by
";" and aligned by position (one entry per allegation).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from uuid6 import uuid7

from libs.chassis.db import in_transaction
from libs.chassis.errors import RuleViolation
from libs.chassis.uploads import LineProblem, Summary, checked_row, line_parser, numbered_lines
from libs.reference.model import Reference

from ..domain.history import HistoricalComplaint, Imported, check_row, imported_complaint
from ..domain.identifiers import new_reference
from ..repositories import history
from .events import emit_all

MAX_BATCH = 200
CSV_COLUMNS = (
    "source_reference",
    "received_at",
    "channel",
    "station_id",
    "governorate_code",
    "categories",
    "against",
    "unit_codes",
    "findings",
    "status",
    "status_at",
    "findings_at",
    "outcome",
    "outcome_at",
    "reason",
    "age_band",
    "anonymous",
    "language",
)
ALLEGATION_LISTS = {"categories": "category", "against": "against", "unit_codes": "unit_code",
                    "findings": "finding"}  # fmt: skip
REQUIRED_COLUMNS = {"source_reference", "received_at", "channel", "categories", "status"}


def csv_record(header: Sequence[str], values: Sequence[str]) -> dict[str, Any]:
    """A CSV row as the JSON shape of HistoricalComplaint (allegation lists zipped)."""
    if len(values) != len(header):
        raise RuleViolation("row", f"has {len(values)} fields, the header has {len(header)}")
    row = {k: v.strip() for k, v in zip(header, values, strict=True)}
    lists = {k: [p.strip() for p in (row.pop(k, "") or "").split(";")] for k in ALLEGATION_LISTS}
    count = 0 if lists["categories"] == [""] else len(lists["categories"])
    allegations = []
    for i in range(count):
        allegation = {
            name: lists[column][i]
            for column, name in ALLEGATION_LISTS.items()
            if i < len(lists[column]) and lists[column][i]
        }
        allegations.append(allegation)
    record: dict[str, Any] = {k: v for k, v in row.items() if v}
    if "anonymous" in record:
        record["anonymous"] = record["anonymous"].lower() in ("true", "yes", "1")
    record["allegations"] = allegations
    return record


def _parser(first_line: str | LineProblem, content_type: str) -> tuple[Callable[[str], Any], bool]:
    """(parse one line, whether the first line was a header)."""
    return line_parser(first_line, content_type, CSV_COLUMNS, REQUIRED_COLUMNS, csv_record)


def unusable_pin_hash() -> str:
    """A PIN hash in the stored format that no PIN matches: nobody was ever given a PIN for a
    complaint filed before jisr (a random digest, not the hash of anything)."""
    salt, digest = secrets.token_bytes(16), secrets.token_bytes(32)
    return f"scrypt${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def checked(record: Any, reference: Reference, now: datetime) -> tuple[HistoricalComplaint, str]:
    """The row and its governorate, or the first rule it breaks."""
    if not isinstance(record, dict):
        raise RuleViolation("row", "must be a JSON object")
    row = HistoricalComplaint.model_validate(record)
    return row, check_row(row, reference, now)


def prepared(row: HistoricalComplaint, governorate: str, now: datetime) -> Imported:
    return imported_complaint(
        row,
        governorate,
        complaint_id=uuid7(),
        allegation_ids=[uuid7() for _ in row.allegations],
        public_reference=new_reference(),
        unusable_pin_hash=unusable_pin_hash(),
        now=now,
    )


async def store_batch(
    session: AsyncSession, batch: Sequence[tuple[HistoricalComplaint, str]], now: datetime
) -> int:
    """The batch's complaints not stored before, their allegations and events (marked
    imported) in one transaction; returns how many were new. Rows already stored (a file sent
    again) are skipped before any event is built."""
    known = await history.stored_sources(session, [row.source_reference for row, _ in batch])
    fresh: dict[str, Imported] = {}
    for row, governorate in batch:
        if row.source_reference not in known and row.source_reference not in fresh:
            fresh[row.source_reference] = prepared(row, governorate, now)
    new = list(fresh.values())
    inserted = await history.add_new(
        session, [b.case for b in new], [a for b in new for a in b.allegations]
    )
    events = [
        (b.governorate, event)
        for b in new
        if b.case["complaint_id"] in inserted
        for event in b.events
    ]
    if events:
        await emit_all(session, events)
    return len(inserted)


async def bring_in(
    sessions: async_sessionmaker[AsyncSession],
    chunks: AsyncIterator[bytes],
    content_type: str,
    reference: Reference,
    now: datetime,
) -> Summary:
    """Parse, check and store a streamed file of history, a batch per transaction: a broken
    connection keeps the batches already stored."""
    summary = Summary(stored_as="imported")
    parse: Callable[[str], Any] | None = None
    batch: list[tuple[HistoricalComplaint, str]] = []

    async def flush() -> None:
        stored = await in_transaction(sessions, partial(store_batch, batch=list(batch), now=now))
        summary.stored += stored
        summary.duplicates += len(batch) - stored
        batch.clear()

    async for number, line in numbered_lines(chunks, hint="one complaint a line"):
        summary.lines = number
        if parse is None:
            parse, had_header = _parser(line, content_type)
            if had_header:
                continue
        good = checked_row(summary, number, line, parse, lambda r: checked(r, reference, now))
        if good is not None:
            batch.append(good)
        if len(batch) >= MAX_BATCH:
            await flush()
    if batch:
        await flush()
    return summary
