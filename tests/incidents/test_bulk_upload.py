"""Bulk upload: good rows stored, each bad row reported by line, field and rule; retries safe."""

from __future__ import annotations

HEADER = "station_id,source_ref,occurred_at,location_type,iccs_codes,national_codes,attempted"
CSV_ROWS = [
    HEADER,
    "AM-01-S1,b-1,2026-09-01T10:00:00+03:00,street,0502,,",
    "AM-01-S1,b-2,2026-09-01T11:00:00+03:00,residence,0501;0201,;,0;1",
    "AM-01-S1,b-3,2026-09-01T12:00:00+03:00,street,9999,,",  # not an ICCS code
    "XX-99-S9,b-4,2026-09-01T12:00:00+03:00,street,0502,,",  # unknown station
    "AM-01-S1,,2026-09-01T12:00:00+03:00,street,0502,,",  # no source_ref
    "AM-01-S1,b-6,yesterday,street,0502,,",  # not a time
    "",
    "AM-01-S1,b-8,2026-09-02T10:00:00+03:00,street,,DEMO-THF-01,",
    "AM-01-S1,b-9,2026-09-02T10:00:00+03:00,moon,0502,,",  # not a location type
]


def chunked(data: bytes, size: int):
    """The body as a stream of small chunks that split lines mid-way, as a network would."""

    async def stream():
        for i in range(0, len(data), size):
            yield data[i : i + size]

    return stream()


async def post_csv(platform, client, text: str, token, chunk: int = 37):
    return await client.post(
        "/v1/incidents/bulk",
        content=chunked(text.encode(), chunk),
        headers=token | {"Content-Type": "text/csv"},
    )


async def test_good_rows_are_stored_and_bad_rows_reported_by_line_field_and_rule(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station="AM-01-S1")
    response = await post_csv(platform, client, "\n".join(CSV_ROWS) + "\n", officer)
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["stored"], summary["rejected"], summary["duplicates"]) == (3, 5, 0)
    by_line = {e["line"]: e for e in summary["errors"]}
    assert sorted(by_line) == [4, 5, 6, 7, 10]
    assert by_line[4]["field"] == "offences.0.iccs_code" and "ICCS" in by_line[4]["rule"]
    assert by_line[5]["field"] == "station_id"
    assert by_line[6]["field"] == "source_ref" and "required" in by_line[6]["rule"]
    assert by_line[7]["field"] == "occurred_at"
    assert by_line[10]["field"] == "location_type"

    codes = await platform.sql(
        "incidents",
        "SELECT i.source_ref, array_agg(o.iccs_code ORDER BY o.seq) AS codes,"
        " array_agg(o.attempted ORDER BY o.seq) AS attempted FROM incidents i"
        " JOIN offences o USING (incident_id) GROUP BY 1 ORDER BY 1",
    )
    assert [(r["source_ref"], r["codes"], r["attempted"]) for r in codes] == [
        ("b-1", ["0502"], [False]),
        ("b-2", ["0501", "0201"], [False, True]),
        ("b-8", ["0502"], [False]),
    ]


async def test_resending_the_file_stores_nothing_twice(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station="AM-01-S1")
    text = "\n".join(CSV_ROWS)
    await post_csv(platform, client, text, officer)
    again = (await post_csv(platform, client, text, officer, chunk=4096)).json()
    assert (again["stored"], again["duplicates"], again["rejected"]) == (0, 3, 5)
    assert await platform.scalar("incidents", "SELECT count(*) FROM incidents") == 3
    assert await platform.scalar("incidents", "SELECT count(*) FROM outbox") == 3


async def test_a_station_uploads_only_its_own_rows(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station="IR-01-S1")
    response = await post_csv(platform, client, "\n".join(CSV_ROWS[:3]), officer)
    summary = response.json()
    assert summary["stored"] == 0 and summary["rejected"] == 2
    assert {e["rule"] for e in summary["errors"]} == {"a station uploads only its own incidents"}


async def test_json_lines_and_a_bad_header(incidents):
    platform, client = incidents
    admin = platform.token("admin")
    body = (
        b'{"station_id": "IR-01-S1", "source_ref": "j-1", "occurred_at": '
        b'"2026-09-01T10:00:00Z", "offences": [{"iccs_code": "0601"}]}\n'
        b"not json\n"
        b'["a list"]\n'
    )
    response = await client.post(
        "/v1/incidents/bulk",
        content=body,
        headers=admin | {"Content-Type": "application/x-ndjson"},
    )
    summary = response.json()
    assert (summary["stored"], summary["rejected"]) == (1, 2)
    assert [e["line"] for e in summary["errors"]] == [2, 3]

    bad_header = await post_csv(platform, client, "station,when\nAM-01-S1,now", admin)
    assert bad_header.status_code == 422
    assert "source_ref" in bad_header.text
    unsupported = await client.post(
        "/v1/incidents/bulk", content=b"x", headers=admin | {"Content-Type": "text/plain"}
    )
    assert unsupported.status_code == 415


async def test_more_rows_than_one_batch(incidents):
    platform, client = incidents
    lines = [HEADER] + [
        f"AM-02-S1,many-{i},2026-09-03T10:00:00+03:00,street,0502,," for i in range(2345)
    ]
    admin = platform.token("admin")
    summary = (await post_csv(platform, client, "\n".join(lines), admin, chunk=65536)).json()
    assert (summary["stored"], summary["rejected"]) == (2345, 0)
    assert (
        await platform.scalar(
            "incidents",
            "SELECT n FROM weekly_counts WHERE station_id = 'AM-02-S1' AND iccs_code = '05'",
        )
        == 2345
    )
