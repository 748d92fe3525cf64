"""Streamed uploads of one record a line (CSV or JSON Lines): the parts every bulk endpoint
shares, so that none of them answers 500 whatever a file holds.

- `numbered_lines` splits a streamed body into numbered lines; a line longer than the limit is
  dropped in pieces as it arrives (memory stays bounded) and reported, as is one that is not
  UTF-8.
- `csv_header` reads a CSV header line or refuses the whole file (422) before anything is
  stored: a file whose columns are unknown cannot have a good row.
- `checked_row` runs one row's parsing and checks, and turns every way a row can be bad (not
  parseable, nested too deeply, a control character, a rule, a validation error) into the
  row's errors in the `Summary`, while the good rows around it go on.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import json
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import RuleViolation
from .text import control_character_paths

#: A record is a few hundred bytes; a line of 64 KiB is not a record but an attack or a file
#: without line breaks (CR-only line ends, say), and is dropped as it streams in.
MAX_LINE_BYTES = 64 * 1024
#: A file of nothing but errors must not exhaust memory either.
MAX_REPORTED_ERRORS = 100_000

T = TypeVar("T")

#: A bulk route's OpenAPI request body (`openapi_extra=`): the route reads the stream itself.
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


def upload_type(content_type: str) -> str:
    """The upload's Content-Type, or a 415 for one that is neither CSV nor JSON Lines."""
    if not any(t in content_type for t in ("csv", "json")):
        raise RuleViolation(
            ("header", "content-type"),
            "send text/csv or application/x-ndjson (JSON Lines)",
            status=415,
            code="unsupported_media_type",
        )
    return content_type


_uploads_running = 0


def _collect_young() -> None:
    gc.collect(1)


@contextlib.contextmanager
def collected_per_batch() -> Iterator[Callable[[], None]]:
    """While an upload runs, Python's cyclic garbage collector runs when the upload says (once
    a batch, the young generations: `collect()`), not on its allocation counter.

    Measured on a million-row file: the automatic collections, triggered every few hundred
    allocations and walking the rows of the batch being built, cost more than parsing and
    validating them (45 instead of 20 microseconds a row). Rows are freed by reference
    counting as before; what another request leaves in a cycle meanwhile is collected at the
    next batch, and the collector is back to automatic when the last upload ends.
    """
    global _uploads_running
    _uploads_running += 1
    if _uploads_running == 1:
        gc.disable()
    try:
        yield _collect_young
    finally:
        _uploads_running -= 1
        if _uploads_running == 0:
            gc.enable()


# COPY's text format: a backslash, tab, newline or CR inside a value is written escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_NULL = "\\N"


def copy_field(value: str | None) -> str:
    """A value as one field of PostgreSQL's COPY text format (None is NULL)."""
    if value is None:
        return COPY_NULL
    # four scans in C cost less than one regex call on the short strings of a record
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def copy_json(value: str) -> str:
    """A JSON text as a COPY field: JSON writes tabs and line breaks inside strings as
    escapes, so a backslash is the only character to double."""
    return value.replace("\\", "\\\\") if "\\" in value else value


async def copy_text(
    session: AsyncSession, table: str, columns: Sequence[str], lines: Sequence[str]
) -> None:
    """COPY lines of the text format (fields by `copy_field`, tab-separated, each ending in a
    newline) on the session's own connection, so in its transaction.

    For bulk paths: measured, asyncpg's binary encoding of records holding datetimes and
    arrays costs about 10 microseconds a row on the client, building the text and letting
    the server parse it about a third of that."""
    if not lines:
        return
    connection = await session.connection()
    raw = (await connection.get_raw_connection()).driver_connection
    assert raw is not None  # an open session's connection always has its asyncpg one
    if not raw.is_in_transaction():
        await connection.execute(text("SELECT 1"))  # join the caller's transaction
    await raw.copy_to_table(
        table, source=io.BytesIO("".join(lines).encode()), columns=list(columns), format="text"
    )


class LineProblem(Exception):
    """A line that never reaches a parser (too long, not UTF-8); its text is the rule."""


@dataclass
class Summary:
    """What an upload did, line by line: stored, already there, refused (with why)."""

    lines: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    #: the name the answer gives the stored rows ("stored", "imported")
    stored_as: str = "stored"

    def reject(self, line: int, field_name: str, rule: str) -> None:
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"line": line, "field": field_name, "rule": rule})

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            self.stored_as: self.stored,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "errors_truncated": len(self.errors) >= MAX_REPORTED_ERRORS,
            "errors": self.errors,
        }


async def numbered_lines(
    chunks: AsyncIterator[bytes], max_bytes: int = MAX_LINE_BYTES, hint: str = ""
) -> AsyncIterator[tuple[int, str | LineProblem]]:
    """(line number, text or the line's problem) for each non-blank line of a streamed body.

    Each chunk is scanned once (no re-splitting of what is pending), and a line longer than
    `max_bytes` is not kept: its bytes are dropped until its end, then it is reported.
    """
    async for lines in numbered_line_batches(chunks, max_bytes, hint):
        for item in lines:
            yield item


async def numbered_line_batches(
    chunks: AsyncIterator[bytes], max_bytes: int = MAX_LINE_BYTES, hint: str = ""
) -> AsyncIterator[list[tuple[int, str | LineProblem]]]:
    """`numbered_lines`, a list per chunk: a bulk parser loops over plain lists instead of
    resuming an async generator once per line (a few microseconds a line at a million lines).

    A chunk is decoded in one call when it is valid UTF-8 (almost always), and line by line
    only when it is not, so a bad line is still just that line's problem.
    """
    ends = "lines end with LF or CRLF" + (f"; {hint}" if hint else "")
    too_long = LineProblem(f"line longer than {max_bytes} bytes ({ends})")
    pending = bytearray()
    overlong = False
    number = 0
    async for chunk in chunks:
        out: list[tuple[int, str | LineProblem]] = []
        start = 0
        if (pending or overlong) and (end := chunk.find(b"\n")) >= 0:
            # the line the previous chunk began
            number += 1
            piece = chunk[:end]
            start = end + 1
            if overlong or len(pending) + len(piece) > max_bytes:
                out.append((number, too_long))
            elif pending.strip() or piece.strip():
                pending += piece
                out.append((number, _decode(bytes(pending))))
            pending.clear()
            overlong = False
        if not overlong and (last := chunk.rfind(b"\n")) >= start:
            number = _whole_lines(chunk[start : last + 1], number, max_bytes, too_long, out)
            start = last + 1
        if not overlong:
            rest = chunk[start:]
            if len(pending) + len(rest) > max_bytes:
                overlong = True
                pending.clear()
            else:
                pending += rest
        if out:
            yield out
    tail: list[tuple[int, str | LineProblem]] = []
    if overlong:
        tail.append((number + 1, too_long))
    elif pending.strip():
        tail.append((number + 1, _decode(bytes(pending))))
    if tail:
        yield tail


#: what bytes.strip() strips, so a decoded line is blank exactly when its bytes were
_ASCII_SPACE = " \t\n\r\x0b\x0c"


def _whole_lines(
    block: bytes,
    number: int,
    max_bytes: int,
    too_long: LineProblem,
    out: list[tuple[int, str | LineProblem]],
) -> int:
    """Number the LF-terminated lines of `block` into `out`; returns the last line's number.

    Decodes the block at once when it is UTF-8, else each line on its own: the same results
    as one line at a time (blank lines skipped, a CR before the LF dropped, long lines refused).
    """
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        for raw in block.split(b"\n")[:-1]:
            number += 1
            if len(raw) > max_bytes:
                out.append((number, too_long))
            elif raw.strip():
                out.append((number, _decode(raw)))
        return number
    for line in text.split("\n")[:-1]:
        number += 1
        # k characters are k to 4k bytes: only a line over max_bytes/4 needs measuring
        if len(line) > max_bytes // 4 and len(line.encode("utf-8")) > max_bytes:
            out.append((number, too_long))
        elif line.strip(_ASCII_SPACE):
            out.append((number, line.rstrip("\r")))
    return number


def _decode(raw: bytes) -> str | LineProblem:
    try:
        return raw.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return LineProblem("not UTF-8")  # reported as a bad row, never stored


def csv_header(
    first_line: str | LineProblem, columns: Sequence[str], required: set[str]
) -> list[str]:
    """The header's column names, or a 422 for the whole file (the body's header line: a CSV
    field of the body, not an HTTP header)."""
    try:
        if isinstance(first_line, LineProblem):
            raise first_line
        header = next(csv.reader([first_line]))
    except (csv.Error, LineProblem) as exc:
        raise RuleViolation(("body", "header"), f"CSV header line is not readable: {exc}") from None
    missing = required - set(header)
    unknown = set(header) - set(columns)
    if missing or unknown:
        raise RuleViolation(
            ("body", "header"),
            f"CSV header must name columns from {', '.join(columns)}"
            + (f"; missing {sorted(missing)}" if missing else "")
            + (f"; unknown {sorted(unknown)}" if unknown else ""),
        )
    return header


def csv_values(line: str) -> list[str]:
    """One CSV line's fields. A line without a quote, a CR or a NUL is what the csv module
    would split at each comma (its only other special characters), so it is split directly:
    a tenth of the cost; any other line goes through the csv module."""
    if '"' in line or "\r" in line or "\x00" in line:
        return next(csv.reader([line]))
    return line.split(",")


def line_parser(
    first_line: str | LineProblem,
    content_type: str,
    columns: Sequence[str],
    required: set[str],
    record: Callable[[Sequence[str], Sequence[str]], dict[str, Any]],
) -> tuple[Callable[[str], Any], bool]:
    """(parse one line, whether the first line was a header): JSON Lines, or CSV rows shaped
    by `record(header, values)`."""
    if "json" in content_type:
        return json.loads, False
    header = csv_header(first_line, columns, required)
    return (lambda line: record(header, csv_values(line))), True


def refuse_control_characters(record: Any) -> None:
    """A row's string holding NUL or another control character is that row's error."""
    if not isinstance(record, dict):
        raise RuleViolation("row", "must be a JSON object")
    for path in control_character_paths(record):
        raise RuleViolation(
            ".".join(map(str, path)) or "row",
            "must not contain control characters (NUL, U+0000-U+001F, DEL) or unpaired surrogates",
        )


def checked_row(
    summary: Summary,
    number: int,
    line: str | LineProblem,
    parse: Callable[[str], Any],
    check: Callable[[Any], T],
) -> T | None:
    """`check(parse(line))`, or None with the row's errors in `summary` however it is bad."""
    try:
        if isinstance(line, LineProblem):
            raise line
        record = parse(line)
        refuse_control_characters(record)
        return check(record)
    except LineProblem as exc:
        summary.reject(number, "row", str(exc))
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            summary.reject(number, ".".join(map(str, error["loc"])) or "row", error["msg"])
    except RuleViolation as exc:
        # a row's field, reported without the "body" every RuleViolation of a body field has
        summary.reject(number, ".".join(map(str, exc.loc[1:])) or "row", exc.rule)
    except (ValueError, csv.Error) as exc:  # json.JSONDecodeError is a ValueError
        summary.reject(number, "row", f"not parseable: {str(exc)[:200]}")
    except RecursionError:
        summary.reject(number, "row", "not parseable: nested too deeply")
    summary.rejected += 1
    return None
