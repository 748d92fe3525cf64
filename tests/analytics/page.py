"""Read the numbers a dashboard page shows: its cards and its tables' cells (data-value); and
ask for a view over the scenario's last days."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser


class _Numbers(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cards: dict[str, str] = {}
        self.tables: dict[str, list[dict[str, str]]] = {}
        self._table: str | None = None
        self._row: dict[str, str] | None = None
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div" and "card" in (a.get("class") or "").split():
            self.cards[a["data-key"]] = a.get("data-value", "")
        elif tag == "table" and a.get("data-table"):
            self._table = a["data-table"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = {}
        elif tag == "td" and self._row is not None and "data-key" in a:
            self._row[a["data-key"]] = a.get("data-value", "")

    def handle_endtag(self, tag):
        if tag == "tr" and self._row:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if data.strip():
            self.texts.append(data.strip())


def numbers(html: str) -> _Numbers:
    parser = _Numbers()
    parser.feed(html)
    return parser


def as_number(value: str) -> float | None:
    return None if value in ("", "None") else float(value)


def period(world, days: int = 150):
    end = world.now.date()
    return end - timedelta(days=days - 1), end


def filters(start, end, **extra) -> dict:
    return {"from": start.isoformat(), "to": end.isoformat(), **extra}


async def get(world, path, headers, **params):
    response = await world.analytics.get(path, params=params, headers=headers)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:500]}"
    return response
