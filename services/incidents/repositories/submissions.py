"""A single incident submission as one statement: the row, its offences, its first
classification version, its counts, its outbox event and its Idempotency-Key, together.

A station's POST is the hot path (300 stations sending a shift's records at once): through
SQLAlchemy it cost about thirteen round trips (BEGIN, key claim, incident, offences, version,
counts, outbox, NOTIFY, key answer, COMMIT, the pool's ping) and most of the service's CPU.
One data-modifying CTE is atomic by itself, so it runs outside any transaction, on the pooled
asyncpg connection (libs.chassis.db.autocommit_connection): a single round trip, and still
all or nothing, the outbox row included (exactly-once). The bulk and correction paths keep
the per-table functions of `incidents` and `counts`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson

from libs.chassis import outbox
from libs.chassis.idempotency import Claim

from ..domain.counts import CountKey
from .incidents import OFFENCE_COLUMNS, VERSION_COLUMNS

# The statement below names these columns; fail loudly at import if a table's shape moves.
assert OFFENCE_COLUMNS[2:] == (
    "iccs_code",
    "national_code",
    "attempted",
    "weapon",
    "domestic",
    "cyber",
)
assert outbox.COLUMNS == ("event_id", "topic", "key", "event_type", "headers", "payload")
assert VERSION_COLUMNS[5] == "categories" and VERSION_COLUMNS[10] == "week_start"

# $1-$14 the incident row, $15-$20 its offences (arrays, numbered from 0 in order), $21-$22
# its first version's categories and week, $23-$27 the count changes (as `counts.
# apply_changes`, keys sorted), $28-$33 the outbox row, $34-$36 the Idempotency-Key claim (all
# null without a key).
#
# No NOTIFY: the caller tells the relay after the commit (`OutboxRelay.committed` says why).
#
# Every sub-statement but the incident's reads `new`, so a retried source_ref (the incident
# skipped by ON CONFLICT) stores nothing else, and `answer` gives the original id from the
# statement's snapshot. The key row is inserted with the answer and no ON CONFLICT: a key used
# before fails the whole statement (UniqueViolation), nothing of it stays.
RECORD_ONE = """
WITH new AS (
    INSERT INTO incidents (incident_id, station_id, district_code, governorate_code,
        boundary_version, location_type, source_ref, occurred_at, occurred_to, reported_at,
        recorded_at, counting_rules_version, victims, offenders)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14::jsonb)
    ON CONFLICT ON CONSTRAINT incidents_station_source_ref DO NOTHING
    RETURNING incident_id
), offences_added AS (
    INSERT INTO offences (incident_id, seq, iccs_code, national_code, attempted, weapon,
        domestic, cyber)
    SELECT new.incident_id, o.n - 1, o.iccs_code, o.national_code, o.attempted, o.weapon,
        o.domestic, o.cyber
    FROM new, unnest($15::varchar[], $16::varchar[], $17::bool[], $18::varchar[],
        $19::bool[], $20::bool[])
        WITH ORDINALITY AS o(iccs_code, national_code, attempted, weapon, domestic, cyber, n)
), version_added AS (
    INSERT INTO incident_versions (incident_id, version, valid_from, valid_to, status,
        categories, station_id, district_code, governorate_code, occurred_at, week_start,
        counting_rules_version)
    SELECT incident_id, 1, $11, NULL, 'active', $21::varchar[], $2, $3, $4, $8, $22::date, $12
    FROM new
), counted AS (
    INSERT INTO weekly_counts (station_id, iccs_code, counting_rules_version, week_start, n)
    SELECT c.station_id, c.iccs_code, c.version, c.week_start, c.n
    FROM new, unnest($23::varchar[], $24::varchar[], $25::varchar[], $26::date[], $27::int[])
        WITH ORDINALITY AS c(station_id, iccs_code, version, week_start, n, i)
    ORDER BY c.i
    ON CONFLICT (station_id, iccs_code, counting_rules_version, week_start)
    DO UPDATE SET n = weekly_counts.n + excluded.n
), published AS (
    INSERT INTO outbox (event_id, topic, key, event_type, headers, payload)
    SELECT $28, $29, $30, $31, $32::jsonb, $33 FROM new
), answer AS (
    SELECT incident_id, true AS fresh FROM new
    UNION ALL
    SELECT incident_id, false FROM incidents
    WHERE station_id = $2 AND source_ref = $7 AND NOT EXISTS (SELECT FROM new)
), kept AS (
    INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response)
    SELECT $34, $35, $36, CASE WHEN fresh THEN 201 ELSE 200 END,
        jsonb_build_object('incident_id', incident_id::text,
            'status', CASE WHEN fresh THEN 'recorded' ELSE 'already_recorded' END)
    FROM answer WHERE $35::text IS NOT NULL
)
SELECT incident_id::text, fresh FROM answer
"""


@dataclass(frozen=True)
class Recorded:
    incident_id: str
    fresh: bool  # False: the station's source_ref was stored before (a retry)


#: `record_one` when the Idempotency-Key was used before: nothing was stored.
KEY_TAKEN = "key taken"


async def record_one(
    conn: asyncpg.Connection,
    row: dict[str, Any],
    offences: Sequence[tuple[Any, ...]],
    version: tuple[Any, ...],
    delta: Counter[CountKey],
    outbox_row: tuple[Any, ...],
    claim: Claim | None,
) -> Recorded | str | None:
    """Store one incident as `incidents.insert_new`, `add_offences`, `add_versions`,
    `counts.apply_changes`, `outbox.stage` and an Idempotency-Key claim with its answer
    would, in one statement on a connection outside any transaction.

    Returns what was recorded (fresh, or the id a retried source_ref had); KEY_TAKEN if the
    key was stored before or by a concurrent request (nothing stored: replay it); None if a
    concurrent request stored the same source_ref, too late for this statement's snapshot to
    see it (nothing stored: look again in a transaction of its own).
    """
    keys = sorted(k for k, v in delta.items() if v)
    # offence records in OFFENCE_COLUMNS order, as one array per column after the two keys
    columns = [[o[i] for o in offences] for i in range(2, len(OFFENCE_COLUMNS))]
    values = (
        row["incident_id"],
        row["station_id"],
        row["district_code"],
        row["governorate_code"],
        row["boundary_version"],
        row["location_type"],
        row["source_ref"],
        row["occurred_at"],
        row["occurred_to"],
        row["reported_at"],
        row["recorded_at"],
        row["counting_rules_version"],
        orjson.dumps(row["victims"]).decode(),
        orjson.dumps(row["offenders"]).decode(),
        *columns,
        version[5],
        version[10],
        [k[0] for k in keys],
        [k[1] for k in keys],
        [k[2] for k in keys],
        [k[3] for k in keys],
        [delta[k] for k in keys],
        *outbox_row,
        claim.scope if claim else None,
        claim.key if claim else None,
        claim.request_hash if claim else None,
    )
    try:
        found = await conn.fetchrow(RECORD_ONE, *values)
    except asyncpg.UniqueViolationError as exc:
        if claim is not None and exc.constraint_name == "idempotency_keys_pkey":
            return KEY_TAKEN
        raise
    if found is None:
        return None
    return Recorded(found["incident_id"], found["fresh"])
