"""The public transparency report: no token, never a count from 1 to 4, no personal data."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from libs.reference import load_reference
from services.analytics.domain.figures import SMALL, WITHHELD

from . import oracle

pytestmark = pytest.mark.slow
PHONE = re.compile(r"\+?\d[\d -]{7,}\d")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def months(world) -> list[str]:
    seen, day = [], world.now.date() - timedelta(days=150)
    while day <= world.now.date():
        if day.strftime("%Y-%m") not in seen:
            seen.append(day.strftime("%Y-%m"))
        day += timedelta(days=1)
    return seen


def shown(value, true: int) -> None:
    """What the report shows for a true count: itself, "<5", or withheld next to a "<5"."""
    if 1 <= true <= 4:
        assert value == SMALL
    elif value == WITHHELD:
        assert true >= 5
    else:
        assert value == true


async def test_counts_match_events_with_small_cells_suppressed(world):
    governorates = sorted(load_reference().governorates)
    small_seen = 0
    for month in months(world):
        response = await world.analytics.get(
            "/public/report", params={"month": month, "format": "json"}
        )
        assert response.status_code == 200, response.text
        report = response.json()
        expected = oracle.month_counts(world.events, month)
        for column in ("incidents", "complaints_received", "complaints_closed"):
            values = {r["governorate"]: r[column] for r in report["rows"]}
            assert sorted(values) == governorates
            for g in governorates:
                shown(values[g], expected[column].get(g, 0))
            hidden = [g for g in governorates if values[g] == SMALL]
            small_seen += len(hidden)
            # a lone "<5" is never recoverable from the total
            total = report["total"][column]
            assert len(hidden) != 1 or WITHHELD in values.values() or total == SMALL
            shown(total, sum(expected[column].values()))
        for row in [*report["rows"], report["total"]]:
            if row["incidents"] in (SMALL, WITHHELD):
                assert row["incidents_per_100k"] == row["incidents"]
    assert small_seen > 0, "the scenario should exercise suppression"


async def test_page_and_csv_never_show_1_to_4_nor_personal_data(world):
    for month in months(world):
        page = await world.analytics.get("/public/report", params={"month": month, "lang": "ar"})
        assert page.status_code == 200
        assert 'dir="rtl"' in page.text
        cells = re.findall(r'<td class="num" data-key="(\w+)">([^<]*)</td>', page.text)
        assert cells
        numbers = [text for key, text in cells if key != "incidents_per_100k"]
        assert not [n for n in numbers if n in {"1", "2", "3", "4"}]
        download = await world.analytics.get(
            "/public/report", params={"month": month, "format": "csv"}
        )
        rows = list(csv.DictReader(io.StringIO(download.text.lstrip("\ufeff"))))
        assert len(rows) == len(load_reference().governorates) + 1
        for row in rows:
            for column in ("incidents", "complaints_received", "complaints_closed"):
                assert row[column] not in {"1", "2", "3", "4"}
        for text in (page.text, download.text):
            for secret in world.personal:
                assert secret not in text
            assert not EMAIL.search(text)
            assert not UUID.search(text)  # no complaint, incident or member ids
            assert not PHONE.search(re.sub(r"\d{4}-\d{2}(-\d{2})?", "", text))


async def test_bad_or_future_month_is_refused_by_name(world):
    for month in ("2026-13", "26-01", "3000-01"):
        response = await world.analytics.get(
            "/public/report", params={"month": month, "format": "json"}
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "month"]
