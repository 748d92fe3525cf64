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
import csv
import json
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from uuid6 import uuid7

from libs.chassis.db import in_transaction
from libs.chassis.errors import RuleViolation
from libs.reference.model import Reference

from ..domain.history import HistoricalComplaint, Imported, check_row, imported_complaint
from ..domain.identifiers import new_reference
from ..repositories import history
from .events import emit_all

MAX_LINE_BYTES = 64 * 1024
MAX_BATCH = 200
MAX_REPORTED_ERRORS = 10_000
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
TOO_LONG = object()


@dataclass
class Summary:
    lines: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, line: int, field_name: str, rule: str) -> None:
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"line": line, "field": field_name, "rule": rule})

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "errors_truncated": len(self.errors) >= MAX_REPORTED_ERRORS,
            "errors": self.errors,
        }


async def numbered_lines(
    chunks: AsyncIterator[bytes], max_bytes: int = MAX_LINE_BYTES
) -> AsyncIterator[tuple[int, str | object]]:
    """(line number, text) for each non-blank line; TOO_LONG for a line over `max_bytes`,
    whose bytes are dropped as they arrive (memory holds at most one bounded line)."""
    pending = b""
    number = 0
    overflowing = False
    async for chunk in chunks:
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for raw in complete:
            number += 1
            if overflowing:
                overflowing = False
                yield number, TOO_LONG
            elif len(raw) > max_bytes:
                yield number, TOO_LONG
            elif raw.strip():
                yield number, _decode(raw)
        if len(pending) > max_bytes:
            overflowing, pending = True, b""
    if overflowing:
        yield number + 1, TOO_LONG
    elif pending.strip():
        yield number + 1, _decode(pending)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return "\x00not utf-8"  # reported as a bad row by the parser, never stored


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


def _parser(first_line: str, content_type: str) -> tuple[Callable[[str], Any], bool]:
    """(parse one line, whether the first line was a header)."""
    if "json" in content_type:
        return json.loads, False
    header = next(csv.reader([first_line]))
    missing = REQUIRED_COLUMNS - set(header)
    unknown = set(header) - set(CSV_COLUMNS)
    if missing or unknown:
        raise RuleViolation(
            ("body", "header"),
            f"CSV header must name columns from {', '.join(CSV_COLUMNS)}"
            + (f"; missing {sorted(missing)}" if missing else "")
            + (f"; unknown {sorted(unknown)}" if unknown else ""),
        )
    return (lambda line: csv_record(header, next(csv.reader([line])))), True


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


def _row(
    parse: Callable[[str], Any],
    line: str,
    number: int,
    reference: Reference,
    now: datetime,
    summary: Summary,
) -> tuple[HistoricalComplaint, str] | None:
    try:
        return checked(parse(line), reference, now)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            summary.reject(number, ".".join(map(str, error["loc"])) or "row", error["msg"])
    except RuleViolation as exc:
        summary.reject(number, ".".join(map(str, exc.loc[1:])) or "row", exc.rule)
    except (ValueError, csv.Error) as exc:  # json.JSONDecodeError is a ValueError
        summary.reject(number, "row", f"not parseable: {str(exc)[:200]}")
    summary.rejected += 1
    return None


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
    summary = Summary()
    parse: Callable[[str], Any] | None = None
    batch: list[tuple[HistoricalComplaint, str]] = []

    async def flush() -> None:
        stored = await in_transaction(sessions, partial(store_batch, batch=list(batch), now=now))
        summary.imported += stored
        summary.duplicates += len(batch) - stored
        batch.clear()

    async for number, line in numbered_lines(chunks):
        summary.lines = number
        if line is TOO_LONG:
            summary.reject(number, "row", f"line longer than {MAX_LINE_BYTES} bytes")
            summary.rejected += 1
            continue
        assert isinstance(line, str)
        if parse is None:
            parse, had_header = _parser(line, content_type)
            if had_header:
                continue
        good = _row(parse, line, number, reference, now, summary)
        if good is not None:
            batch.append(good)
        if len(batch) >= MAX_BATCH:
            await flush()
    if batch:
        await flush()
    return summary
