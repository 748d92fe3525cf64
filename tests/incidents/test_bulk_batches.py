"""How a bulk batch reaches the tables: straight COPY when its pairs are new, the conflict-aware
path otherwise (another upload first, or a pair twice in a file), and the statement-level
triggers that queue changed closed weeks for alert re-evaluation."""

from __future__ import annotations

from datetime import date

from services.incidents.repositories import incidents as incidents_repo

from .test_bulk_upload import CSV_ROWS, post_csv


async def _tables(platform) -> tuple[int, ...]:
    counts = []
    for table in ("incidents", "offences", "incident_versions", "outbox"):
        counts.append(await platform.scalar("incidents", f"SELECT count(*) FROM {table}"))
    counts.append(await platform.scalar("incidents", "SELECT sum(n) FROM weekly_counts"))
    return tuple(counts)


async def test_pairs_another_upload_stored_meanwhile_are_duplicates(incidents, monkeypatch):
    platform, client = incidents
    officer = platform.token("station_officer", station="AM-01-S1")
    text = "\n".join(CSV_ROWS)
    first = (await post_csv(platform, client, text, officer)).json()
    assert (first["stored"], first["duplicates"]) == (3, 0)
    stored = await _tables(platform)

    # as if a concurrent upload stored the pairs between the check and the COPY: the unique
    # index refuses the straight COPY, its savepoint undoes it, the conflict-aware path runs
    async def none_stored(session, stations, refs):
        return 0

    monkeypatch.setattr(incidents_repo, "stored_source_refs", none_stored)
    again = (await post_csv(platform, client, text, officer)).json()
    assert (again["stored"], again["duplicates"], again["rejected"]) == (0, 3, 5)
    assert await _tables(platform) == stored


async def test_a_pair_twice_in_one_file_is_stored_once(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station="AM-01-S1")
    text = "\n".join([*CSV_ROWS, CSV_ROWS[1]])  # b-1 again at the end
    summary = (await post_csv(platform, client, text, officer)).json()
    assert (summary["stored"], summary["duplicates"], summary["rejected"]) == (3, 1, 5)
    # b-2 has two offences; each offence counts at its division and its category
    assert await _tables(platform) == (3, 4, 3, 3, 8)
    counted = await platform.sql("incidents", "SELECT iccs_code, n FROM weekly_counts ORDER BY 1")
    assert [tuple(r) for r in counted] == [
        ("02", 1),
        ("0201", 1),
        ("05", 3),
        ("0501", 1),
        ("0502", 2),
    ]


async def test_closed_weeks_whose_counts_change_are_queued_once_per_week(incidents):
    platform, _ = incidents
    sql = platform.sql
    await sql(
        "incidents",
        "INSERT INTO station_periods VALUES ('AM-01-S1', '2026-08-31', 0, now(), 'test'),"
        " ('AM-01-S1', '2026-09-07', 0, now(), 'test')",
    )
    queued = "SELECT station_id, week_start::text FROM alert_rechecks ORDER BY 1, 2"
    upsert = (
        "INSERT INTO weekly_counts SELECT * FROM unnest($1::varchar[], $2::varchar[],"
        " $3::varchar[], $4::date[], $5::int[]) ON CONFLICT"
        " (station_id, iccs_code, counting_rules_version, week_start)"
        " DO UPDATE SET n = weekly_counts.n + excluded.n"
    )
    stations = ["AM-01-S1", "AM-01-S1", "AM-01-S1", "AM-01-S2"]
    codes = ["05", "0502", "05", "05"]
    weeks = [
        date.fromisoformat(w) for w in ("2026-08-31", "2026-08-31", "2026-09-14", "2026-08-31")
    ]
    # inserted zero counts, open weeks and another station's week are not queued
    await sql("incidents", upsert, stations, codes, ["1"] * 4, weeks, [0, 0, 1, 1])
    assert await sql("incidents", queued) == []
    # one closed week changed through two of its counts: queued once
    await sql("incidents", upsert, stations, codes, ["1"] * 4, weeks, [2, 1, 1, 1])
    assert [tuple(r) for r in await sql("incidents", queued)] == [("AM-01-S1", "2026-08-31")]
    await sql("incidents", "DELETE FROM alert_rechecks")
    # an update that leaves n as it was changes nothing
    await sql("incidents", "UPDATE weekly_counts SET n = n")
    assert await sql("incidents", queued) == []
    # a new count in the other closed week is queued
    await sql(
        "incidents",
        "INSERT INTO weekly_counts VALUES ('AM-01-S1', '0502', '1', '2026-09-07', 3)",
    )
    assert [tuple(r) for r in await sql("incidents", queued)] == [("AM-01-S1", "2026-09-07")]
