"""Bulk upload of incidents as CSV or JSON Lines, streamed.

The request body is read chunk by chunk and turned into batches of at most BATCH_ROWS rows:
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

A large upload (`Prefer: respond-async`, or a declared length over 8 MiB) is a job: the answer
is 202 with the job, whose progress and error report are read at `/v1/incidents/uploads/{id}`.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

import orjson
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from uuid6 import uuid7

from libs.chassis import outbox
from libs.chassis.auth import Principal
from libs.chassis.db import DATABASE_ERRORS, in_transaction, is_transient
from libs.chassis.errors import RuleViolation
from libs.chassis.telemetry import current_traceparent
from libs.chassis.text import has_control_characters
from libs.chassis.uploads import (
    COPY_NULL,
    LineProblem,
    Summary,
    checked_row,
    collected_per_batch,
    copy_field,
    copy_json,
    csv_header,
    line_parser,
    numbered_line_batches,
)
from libs.contracts.envelope import encode_headers, encode_value, new_envelope
from libs.contracts.incidents import IncidentRecorded
from libs.contracts.topics import record_key, topic_for_event
from libs.reference.model import Reference

from ..domain import submission
from ..domain.submission import check_submission, counted_categories, resolve_offences
from ..domain.weeks import week_start
from ..repositories import counts, incidents
from ..repositories.counts import TextCountKey
from ..schemas import IncidentIn, OffenceIn

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
OFFENCE_FIELDS = ("iccs_code", "national_code", "attempted", "weapon", "domestic", "cyber")
SCALAR_COLUMNS = tuple(c for c in CSV_COLUMNS if c not in OFFENCE_LISTS)
REQUIRED_COLUMNS = {"station_id", "source_ref", "occurred_at"}
#: Rows per transaction: every table is written by COPY (no bind-parameter limit), and 5,000
#: rows amortise the per-batch round trips while two batches stay a few MiB.
BATCH_ROWS = 5000
#: Distinct offence lists remembered per upload (a backfill has a few hundred; bounded anyway).
MAX_SHAPES = 20_000

_OFFENCES = TypeAdapter(list[OffenceIn])


@dataclass(frozen=True)
class Scope:
    """Whose rows an upload may hold: a station officer's own station only, or any."""

    station_scoped: bool
    station_id: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> Scope:
        return cls(principal.station_scoped, principal.station_id)


@dataclass(frozen=True)
class Shape:
    """A list of offences validated and settled once, for every row that carries the same one:
    the models, what the event says of each, the COPY records without their incident id, and
    the categories the incident counts in."""

    models: list[OffenceIn]
    resolved: list[dict[str, Any]]
    records: list[str]  # each offence's COPY text line after its incident id
    categories: tuple[str, ...]
    categories_text: str  # the categories as a COPY array field


@dataclass(slots=True)
class Row:
    incident: IncidentIn
    line: int
    shape: Shape


@dataclass
class Batch:
    """The good rows of a stretch of lines, and what that stretch reported."""

    rows: list[Row]
    errors: list[dict[str, Any]]
    rejected: int
    last_line: int  # every line up to this one is accounted for once this batch is settled
    #: the rows as each table's records (`encode_batch`), built by the parser while the batch
    #: before is written, so that the database does not wait for them; None: built on store
    encoded: Encoded | None = None


class Writer(Protocol):
    async def store(self, batch: Batch) -> tuple[int, int]:
        """Store the batch in one transaction; (stored, duplicates)."""
        ...

    async def refused(self, batch: Batch, error: dict[str, Any]) -> None:
        """The database refused the batch: account for it (its rows rejected) instead."""
        ...


def _offence_dicts(lists: dict[str, list[str]]) -> list[dict[str, str]]:
    count = max(len(v) for v in lists.values())
    offences = []
    for i in range(count):
        offence = {k: lists[k][i].strip() if i < len(lists[k]) else "" for k in OFFENCE_LISTS}
        offences.append(
            {
                name: offence[column]
                for name, column in zip(OFFENCE_FIELDS, OFFENCE_LISTS, strict=True)
                if offence[column]
            }
        )
    return offences


def csv_record(header: Sequence[str], values: Sequence[str]) -> dict[str, Any]:
    """A CSV row as the JSON shape of IncidentIn (offence lists split and zipped)."""
    if len(values) != len(header):
        raise RuleViolation("row", f"has {len(values)} fields, the header has {len(header)}")
    row = {k: v.strip() for k, v in zip(header, values, strict=True)}
    lists = {k: (row.pop(k, "") or "").split(";") for k in OFFENCE_LISTS}
    record: dict[str, Any] = {k: v for k, v in row.items() if v}
    record["offences"] = _offence_dicts(lists)
    return record


def _parser(first_line: str | LineProblem, content_type: str) -> tuple[Callable[[str], Any], bool]:
    """(parse one line, whether the first line was a header)."""
    return line_parser(first_line, content_type, CSV_COLUMNS, REQUIRED_COLUMNS, csv_record)


def validate_row(record: Any, scope: Scope, reference: Reference, now: datetime) -> IncidentIn:
    incident = IncidentIn.model_validate(record)
    if not incident.source_ref:
        raise RuleViolation(
            "source_ref",
            "required in bulk uploads, so that re-sending a file stores nothing twice",
        )
    if scope.station_scoped and incident.station_id != scope.station_id:
        raise RuleViolation("station_id", "a station uploads only its own incidents")
    check_submission(incident, reference, now)
    return incident


def shape_of(models: Sequence[OffenceIn], reference: Reference) -> Shape:
    """Settle a validated list of offences with the domain's own functions."""
    resolved = resolve_offences(models, reference)
    categories = tuple(counted_categories([o.iccs_code for o in resolved], reference))
    return Shape(
        models=list(models),
        resolved=[o.model_dump() for o in resolved],
        records=[
            "\t".join(
                (
                    "",
                    str(i),
                    copy_field(o.iccs_code),
                    copy_field(o.national_code),
                    _BOOL[o.attempted],
                    copy_field(o.weapon),
                    _BOOL[o.domestic],
                    _BOOL[o.cyber],
                )
            )
            + "\n"
            for i, o in enumerate(resolved)
        ],
        categories=categories,
        categories_text=copy_field("{" + ",".join(f'"{c}"' for c in categories) + "}"),
    )


_BOOL = {True: "t", False: "f"}


class CsvRows:
    """The fast way through a CSV row that holds nothing unusual (almost all of them): split
    at commas, offences validated and settled once per distinct list (`Shape`), the incident
    validated by the same model and rules. Anything else — a quote, a control character, a
    wrong field count, any error at all — returns None and the row takes the general path,
    which reports exactly what it always did."""

    def __init__(self, header: list[str], scope: Scope, reference: Reference, now: datetime):
        self.width = len(header)
        where = {name: i for i, name in enumerate(header)}
        self.scalars = [(name, where[name]) for name in SCALAR_COLUMNS if name in where]
        self.lists = [where.get(name, -1) for name in OFFENCE_LISTS]
        self.scope, self.reference, self.now = scope, reference, now
        self.shapes: dict[tuple[str, ...], Shape | None] = {}

    def __call__(self, line: str, number: int) -> Row | None:
        if '"' in line or "\r" in line or has_control_characters(line):
            return None
        values = line.split(",")
        if len(values) != self.width:
            return None
        values = [v.strip() for v in values]
        key = tuple(values[i] if i >= 0 else "" for i in self.lists)
        shape = self.shapes[key] if key in self.shapes else self._shape(key)
        if shape is None:
            return None
        record: dict[str, Any] = {name: values[i] for name, i in self.scalars if values[i]}
        record["offences"] = shape.models
        try:
            incident = validate_row(record, self.scope, self.reference, self.now)
        except Exception:  # whatever it is, the general path reports it as it always did
            return None
        return Row(incident, number, shape)

    def _shape(self, key: tuple[str, ...]) -> Shape | None:
        if len(self.shapes) >= MAX_SHAPES:
            self.shapes.clear()
        try:
            models = _OFFENCES.validate_python(
                _offence_dicts({k: v.split(";") for k, v in zip(OFFENCE_LISTS, key, strict=True)})
            )
            shape: Shape | None = shape_of(models, self.reference)
        except (ValidationError, RuleViolation, ValueError):
            shape = None
        self.shapes[key] = shape
        return shape


async def upload(
    chunks: AsyncIterator[bytes],
    content_type: str,
    scope: Scope,
    reference: Reference,
    writer: Writer,
    *,
    skip_through: int = 0,
    keep_errors: bool = True,
) -> Summary:
    """Parse, validate and hand batches to `writer` (which stores one batch per transaction).

    Writing the previous batch overlaps with parsing the next, so the database and the parser
    work at the same time; at most two batches are in memory. The parser also encodes each
    chunk's rows as it goes (`encode_batch`), so a batch reaches the writer ready for COPY:
    encoding it in the writer, measured, left the database idle a third of each batch, and
    encoding a whole batch at once would hold the event loop (and the statements of the batch
    being written) for as long. Lines up to `skip_through` were accounted for by an earlier
    run of the same job and are not parsed again (the header is).
    """
    summary = Summary()
    pending = Summary()  # what the lines since the last batch reported
    parse: Callable[[str], Any] | None = None
    fast: CsvRows | None = None
    rows: list[Row] = []
    encoded, done = Encoded(), 0  # rows[:done] are in `encoded`
    writing: Writing | None = None
    now = datetime.now(UTC)

    def encode_rest() -> Encoded:
        nonlocal done
        if done < len(rows):
            encode_batch(rows[done:], reference, datetime.now(UTC), into=encoded)
            done = len(rows)
        return encoded

    with collected_per_batch() as collect:
        async for lines in numbered_line_batches(chunks, hint="one incident a line"):
            for number, line in lines:
                if parse is None:
                    parse, had_header = _parser(line, content_type)
                    if had_header:
                        header = csv_header(line, CSV_COLUMNS, REQUIRED_COLUMNS)
                        fast = CsvRows(header, scope, reference, now)
                        continue
                if number <= skip_through:
                    continue
                row = fast(line, number) if fast is not None and isinstance(line, str) else None
                if row is None:
                    row = _general_row(parse, line, number, scope, reference, now, pending)
                if row is not None:
                    rows.append(row)
                if len(rows) >= BATCH_ROWS:
                    batch = Batch(rows, pending.errors, pending.rejected, number, encode_rest())
                    writing = await _handoff(writing, writer, batch, summary, keep_errors)
                    rows, pending, encoded, done = [], Summary(), Encoded(), 0
                    collect()
            encode_rest()
            summary.lines = lines[-1][0]
            # let the batch being written take its next step (its statements run on the
            # server meanwhile): a parser that never yields would leave the database idle
            await asyncio.sleep(0)
        last = max(summary.lines, skip_through)
        if rows or pending.rejected or writing is None or last > writing[1].last_line:
            batch = Batch(rows, pending.errors, pending.rejected, last, encode_rest())
            writing = await _handoff(writing, writer, batch, summary, keep_errors)
        await _settle(writing, writer, summary, keep_errors)
    return summary


def _general_row(
    parse: Callable[[str], Any],
    line: str | LineProblem,
    number: int,
    scope: Scope,
    reference: Reference,
    now: datetime,
    pending: Summary,
) -> Row | None:
    incident = checked_row(
        pending, number, line, parse, lambda r: validate_row(r, scope, reference, now)
    )
    if incident is None:
        return None
    return Row(incident, number, shape_of(incident.offences, reference))


# A batch being written.
Writing = tuple[asyncio.Task[tuple[int, int]], Batch]


async def _handoff(
    writing: Writing | None, writer: Writer, batch: Batch, summary: Summary, keep_errors: bool
) -> Writing:
    if writing is not None:
        await _settle(writing, writer, summary, keep_errors)
    return asyncio.create_task(writer.store(batch)), batch


async def _settle(writing: Writing, writer: Writer, summary: Summary, keep_errors: bool) -> None:
    """Count a written batch. A batch the database refuses (not a database that is down:
    that is a 503 and the client re-sends) is reported by its lines and the file goes on."""
    task, batch = writing
    errors = batch.errors
    try:
        stored, duplicates = await task
    except DATABASE_ERRORS as exc:
        if is_transient(exc):
            raise
        lines = [r.line for r in batch.rows]
        error = {
            "line": lines[0],
            "field": "row",
            "rule": f"lines {lines[0]}-{lines[-1]}: the database refused the batch",
        }
        await writer.refused(batch, error)
        errors = [*errors, error]
        stored, duplicates = 0, 0
        summary.rejected += len(batch.rows)
    summary.stored += stored
    summary.duplicates += duplicates
    summary.rejected += batch.rejected
    if keep_errors:
        for e in errors:
            summary.reject(e["line"], e["field"], e["rule"])


# Storing a batch: the rows, offences, versions, counts and events of every new incident.

_TOPIC = topic_for_event(IncidentRecorded.event_type)
_SOURCE = f"jisr/{_TOPIC.producer}"


@dataclass
class Encoded:
    """A batch as the COPY text lines of each table (by incident id) and the counts it adds."""

    incidents: list[str] = field(default_factory=list)
    offences: dict[str, list[str]] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    events: dict[str, str] = field(default_factory=dict)
    counts: dict[str, list[TextCountKey]] = field(default_factory=dict)


def event_payload(
    incident_id: str, row: Row, chain: dict[str, str], recorded_at: datetime
) -> dict[str, Any]:
    """What `submission.recorded_event(...).model_dump()` gives for the row, built from the
    row's settled offences instead of a model per offence (tests hold the two equal, and each
    batch checks its first row against `recorded_event` itself: see `encode_batch`)."""
    incident = row.incident
    return {
        "incident_id": incident_id,
        "station_id": incident.station_id,
        "district_code": chain["district"],
        "governorate_code": chain["governorate"],
        "offences": row.shape.resolved,
        "occurred_at": incident.occurred_at.astimezone(UTC),
        "recorded_at": recorded_at,
        "counting_rules_version": submission.COUNTING_RULES_VERSION,
        "occurred_to": incident.occurred_to.astimezone(UTC) if incident.occurred_to else None,
        "reported_at": incident.reported_at.astimezone(UTC) if incident.reported_at else None,
        "location_type": incident.location_type,
        "boundary_version": submission.BOUNDARY_VERSION,
        "victims": [],  # only rows without victims or offenders take this path
        "offenders": [],
    }


def _builds_as_the_domain(row: Row, reference: Reference, now: datetime) -> bool:
    """Whether `event_payload` still says what the domain's `recorded_event` says (a field
    added to the event there and not here is caught on the first row of the batch, which then
    takes the domain's function for every row)."""
    [incident_id] = new_ids(1)
    real = submission.recorded_event(UUID(incident_id), row.incident, reference, now)
    mine = event_payload(incident_id, row, reference.area_chain(row.incident.station_id), now)
    same = json.loads(encode_value(real)) == json.loads(_json(mine))
    return same and record_key(real) == incident_id


def new_ids(n: int) -> list[str]:
    """n UUIDv7 ids as strings, increasing: the millisecond now, a random 12 bits, and a
    counter from a random start in the 62 low bits (RFC 9562's method 1 for monotonicity).
    `uuid6.uuid7` makes one object per call, a fifth of a batch's encoding; asyncpg and JSON
    take the string form anyway."""
    ms = time.time_ns() // 1_000_000
    base = (ms & (2**48 - 1)) << 80 | 7 << 76 | secrets.randbits(12) << 64 | 2 << 62
    start = secrets.randbits(61)  # room for 2**61 ids before the counter could overflow
    ids = []
    for i in range(start, start + n):
        h = f"{base | i:032x}"
        ids.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return ids


def encode_batch(
    rows: Sequence[Row], reference: Reference, now: datetime, into: Encoded | None = None
) -> Encoded:
    """Every table's records for the batch, and its `incident.recorded` outbox rows, built in
    one pass: JSON by orjson, one envelope template per batch (the same headers as
    `outbox.publish` writes; tests compare the two). With `into`, added to what it holds."""
    out = into if into is not None else Encoded()
    if not rows:
        return out
    plain = next((r for r in rows if not r.incident.victims and not r.incident.offenders), None)
    fast = plain is not None and _builds_as_the_domain(plain, reference, now)
    chains: dict[str, dict[str, str]] = {}
    places: dict[str, str] = {}  # station -> its station, district, governorate COPY fields
    template = encode_headers(
        new_envelope(
            submission.recorded_event(uuid7(), rows[0].incident, reference, now),
            source=_SOURCE,
            subject="",
            traceparent=current_traceparent(),
            time=now,
        )
    )
    headers_around = _headers_around(template)
    event_type = IncidentRecorded.ce_type()
    version = submission.COUNTING_RULES_VERSION
    boundary = submission.BOUNDARY_VERSION
    recorded = now.isoformat()
    event_prefix = f"\t{_TOPIC.name}\t"
    ids = new_ids(2 * len(rows))
    for n, row in enumerate(rows):
        incident = row.incident
        incident_id, event_id = ids[2 * n], ids[2 * n + 1]
        station = incident.station_id
        chain = chains.get(station) or chains.setdefault(station, reference.area_chain(station))
        occurred = incident.occurred_at.astimezone(UTC)
        week = week_start(occurred)
        if fast and not incident.victims and not incident.offenders:
            payload = _json(event_payload(incident_id, row, chain, now))
        else:
            payload = encode_value(
                submission.recorded_event(UUID(incident_id), incident, reference, now)
            ).decode()
        where = places.get(station) or places.setdefault(station, _place(station, chain))
        occurred_text = occurred.isoformat()
        week_text = week.isoformat()
        out.incidents.append(
            f"{incident_id}\t{where}\t{boundary}\t{incident.location_type}"
            f"\t{copy_field(incident.source_ref)}\t{occurred_text}"
            f"\t{_moment(incident.occurred_to)}\t{_moment(incident.reported_at)}"
            f"\t{recorded}\t{version}"
            f"\t{copy_json(_people(incident.victims))}\t{copy_json(_people(incident.offenders))}\n"
        )
        out.offences[incident_id] = [incident_id + r for r in row.shape.records]
        out.versions[incident_id] = (
            f"{incident_id}\t1\t{recorded}\t{COPY_NULL}\tactive\t{row.shape.categories_text}"
            f"\t{where}\t{occurred_text}\t{week_text}\t{version}\n"
        )
        out.events[incident_id] = (
            f"{event_id}{event_prefix}{incident_id}\t{event_type}"
            f"\t{headers_around(event_id, incident_id)}\t{copy_json(payload)}\n"
        )
        out.counts[incident_id] = [(station, c, version, week_text) for c in row.shape.categories]
    return out


_ID_MARK, _SUBJECT_MARK = "ceidmark0e1f9a", "cesubjectmark0e1f9a"


def _headers_around(template: dict[str, Any]) -> Callable[[str, str], str]:
    """A function of (event id, subject) giving the COPY field of
    `orjson.dumps(template | {"ce_id": ..., "ce_subject": ...})`: the template is written
    once around two marks and each row's ids (UUIDs: nothing to escape) go between the
    pieces, instead of a dict copied and serialised per row."""
    text = copy_json(
        orjson.dumps(template | {"ce_id": _ID_MARK, "ce_subject": _SUBJECT_MARK}).decode()
    )
    if text.index(_ID_MARK) < text.index(_SUBJECT_MARK):
        head, rest = text.split(_ID_MARK)
        middle, tail = rest.split(_SUBJECT_MARK)
        return lambda event_id, subject: head + event_id + middle + subject + tail
    head, rest = text.split(_SUBJECT_MARK)
    middle, tail = rest.split(_ID_MARK)
    return lambda event_id, subject: head + subject + middle + event_id + tail


def _place(station: str, chain: dict[str, str]) -> str:
    return "\t".join(copy_field(v) for v in (station, chain["district"], chain["governorate"]))


def _moment(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat() if moment is not None else COPY_NULL


def _json(value: Any) -> str:
    """JSON as pydantic writes an event (UTC times end in Z), by orjson."""
    return orjson.dumps(value, option=orjson.OPT_UTC_Z).decode()


def _people(people: Sequence[Any]) -> str:
    return orjson.dumps([p.model_dump() for p in people]).decode() if people else "[]"


async def store_batch(
    session: AsyncSession,
    rows: Sequence[Row],
    reference: Reference,
    now: datetime,
    encoded: Encoded | None = None,
) -> tuple[int, int]:
    """Store a batch's new incidents with their offences, first versions, weekly counts (one
    upsert per station, category and week of the batch) and `incident.recorded` events, in
    the caller's transaction; a (station, source_ref) already stored is a duplicate, not an
    error. `encoded` is `encode_batch(rows, reference, now)` when the caller built it already.
    Returns (stored, duplicates)."""
    if not rows:
        return 0, 0
    if encoded is None:
        encoded = encode_batch(rows, reference, now)
    stations = [r.incident.station_id for r in rows]
    refs = [r.incident.source_ref or "" for r in rows]
    fresh: Collection[str]
    if (
        len(set(zip(stations, refs, strict=True))) == len(rows)
        and not await incidents.stored_source_refs(session, stations, refs)
        and await incidents.copy_all_new(session, encoded.incidents)
    ):
        fresh = encoded.versions.keys()  # every row is new (the usual first upload)
    else:  # a file sent again, or a pair twice in the batch: the database sorts them out
        fresh = await incidents.copy_new(session, encoded.incidents)
    if fresh:
        await incidents.add_offence_lines(
            session, [r for i in encoded.offences if i in fresh for r in encoded.offences[i]]
        )
        await incidents.add_version_lines(
            session, [v for i, v in encoded.versions.items() if i in fresh]
        )
        await counts.apply_changes_in_bulk(
            session, Counter(k for i in encoded.counts if i in fresh for k in encoded.counts[i])
        )
        await outbox.stage_encoded(
            session, _TOPIC.producer, [e for i, e in encoded.events.items() if i in fresh]
        )
    return len(fresh), len(rows) - len(fresh)


@dataclass
class SessionWriter:
    """The synchronous upload's writer: each batch in its own transaction; a connection
    dropped mid-file keeps the batches already written, and re-sending the file stores only
    the rest (`source_ref`)."""

    sessions: async_sessionmaker[AsyncSession]
    reference: Reference

    async def store(self, batch: Batch) -> tuple[int, int]:
        rows, now = batch.rows, datetime.now(UTC)
        if not rows:
            return 0, 0
        return await in_transaction(
            self.sessions,
            lambda session: store_batch(session, rows, self.reference, now, batch.encoded),
        )

    async def refused(self, batch: Batch, error: dict[str, Any]) -> None:
        return None


def batch_writer(sessions: async_sessionmaker[AsyncSession], reference: Reference) -> Writer:
    return SessionWriter(sessions, reference)
