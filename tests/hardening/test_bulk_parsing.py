"""Bulk files that answered 500 (or stalled): every problem is a row or file error, and the
summary says what was stored; a 40 MB line with no newline is dropped with bounded memory."""

from __future__ import annotations

import json
import tracemalloc

from libs.chassis.uploads import MAX_LINE_BYTES, numbered_lines

HEADER = "station_id,source_ref,occurred_at,iccs_codes"


def _rows(prefix: str, n: int, start_day: int = 1) -> list[str]:
    return [
        f"AM-01-S1,{prefix}-{i},2026-09-{start_day + i % 20:02d}T10:00:00+03:00,0502"
        for i in range(n)
    ]


def _stream(data: bytes, size: int = 64 * 1024):
    async def chunks():
        for i in range(0, len(data), size):
            yield data[i : i + size]

    return chunks()


async def _post(stack, body: bytes, kind: str = "text/csv"):
    platform, clients = stack
    return await clients["incidents"].post(
        "/v1/incidents/bulk",
        content=_stream(body),
        headers=platform.token("station_officer", "AM-01-S1") | {"Content-Type": kind},
    )


async def test_a_nul_row_after_a_thousand_stored_is_a_row_error_with_the_summary(stack):
    rows = _rows("nul", 1000)
    rows.append("AM-01-S1,nul-\x00-x,2026-09-03T10:00:00+03:00,0502")
    rows += _rows("nul-after", 5)
    body = ("\n".join([HEADER, *rows]) + "\n").encode()
    response = await _post(stack, body)
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["stored"], summary["rejected"]) == (1005, 1)
    [error] = summary["errors"]
    assert (
        error
        == {
            "line": 1002,
            "field": "source_ref",
            "rule": error["rule"],
        }
        and "control characters" in error["rule"]
    )


async def test_a_nul_in_a_json_lines_row(stack):
    body = json.dumps(
        {
            "station_id": "AM-01-S1",
            "source_ref": "jnul",
            "occurred_at": "2026-09-03T10:00:00+03:00",
            "offences": [{"iccs_code": "0502", "\x00": 1}],
        }
    ).encode()
    response = await _post(stack, body, "application/x-ndjson")
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["stored"], summary["rejected"]) == (0, 1)
    assert summary["errors"][0]["field"] == "offences.0"


async def test_a_bare_cr_in_the_csv_header_refuses_the_file(stack):
    response = await _post(stack, b"station_id,source_ref\r,occurred_at,iccs_codes\n")
    assert response.status_code == 422, response.text
    [item] = response.json()["detail"]
    assert item["loc"] == ["body", "header"] and "not readable" in item["msg"]


async def test_a_header_field_over_128_kib(stack):
    response = await _post(stack, b"station_id," + b"x" * (130 * 1024) + b"\n")
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "header"]


async def test_a_bare_cr_and_a_huge_field_in_data_rows_are_row_errors(stack):
    rows = [
        HEADER,
        *_rows("cr-before", 3),
        'AM-01-S1,cr-1,2026-09-03T10:00:00+03:00,"05\r02',
        "AM-01-S1,cr-2," + "y" * (130 * 1024) + ",0502",
        *_rows("cr-after", 3, 10),
    ]
    response = await _post(stack, ("\n".join(rows) + "\n").encode())
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["stored"], summary["rejected"]) == (6, 2)
    assert sorted(e["line"] for e in summary["errors"]) == [5, 6]


async def test_deeply_nested_json_lines(stack):
    good = {
        "station_id": "AM-01-S1",
        "source_ref": "deep-ok",
        "occurred_at": "2026-09-03T10:00:00+03:00",
        "offences": [{"iccs_code": "0502"}],
    }
    deep = '{"a":' * 10_000 + "1" + "}" * 10_000  # valid JSON, 60 KB, too deep to parse
    assert len(deep) < MAX_LINE_BYTES
    lines = [json.dumps(good), "[" * 30_000, deep, "[" * 50_000 + "]" * 50_000]
    response = await _post(stack, "\n".join(lines).encode(), "application/x-ndjson")
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["stored"], summary["rejected"]) == (1, 3)
    rules = {e["line"]: e["rule"] for e in summary["errors"]}
    assert "nested too deeply" in rules[2] and "nested too deeply" in rules[3]
    assert "longer than" in rules[4]


async def test_a_40_mb_line_with_no_newline_is_a_row_error(stack):
    good = "\n".join([HEADER, *_rows("long", 3)]) + "\n"
    body = good.encode() + b"A" * (40 * 1024 * 1024)
    response = await _post(stack, body)
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["stored"], summary["rejected"]) == (3, 1)
    assert summary["errors"][0]["line"] == 5 and "longer than" in summary["errors"][0]["rule"]


async def test_line_splitting_keeps_bounded_memory_on_a_long_line():
    """The splitter holds at most one line's worth (MAX_LINE_BYTES) besides the chunk."""
    body = b"ok\n" + b"B" * (20 * 1024 * 1024) + b"\nlast"
    tracemalloc.start()
    try:
        seen = [
            (n, line if isinstance(line, str) else "problem")
            async for n, line in numbered_lines(_stream(body))
        ]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == [(1, "ok"), (2, "problem"), (3, "last")]
    assert peak < 4 * 1024 * 1024, peak
