"""Perception surveys: a publication as rows, and the perceptions combined across the
published cells.

Fora publishes a wave's results whole, again whenever late responses change them; the latest
publication replaces the earlier ones (survey.projection). Suppressed cells are kept as such
(their keys, no counts): the views count them, and never estimate what they held.

A share is sum(positive) / sum(answered) over the cells that published the item: a suppressed
cell, or an item under the minimum cell size inside a shown cell, adds nothing to it and is
counted as suppressed instead. Nothing here subtracts one published figure from another, so
no suppressed cell is ever worked out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, get_args
from uuid import UUID

from libs.contracts.fora import SurveyItem, SurveyResultsPublished, SurveyTable

from . import figures
from .areas import area_columns
from .labels import CODES

ITEMS: tuple[str, ...] = get_args(SurveyItem)  # the standard items, in the contract's order
GENDERS = ("female", "male", "unknown")  # "unknown": the respondent did not say
ALL = "all"  # every respondent, whatever their gender
HEADLINES = {"safe_after_dark_share": "feel_safe_after_dark", "trust_police_share": "trust_police"}
BREAKDOWN = "area,gender"  # the one table fora publishes


def breakdown(table: SurveyTable) -> str:
    """A table's breakdown as one key: "" (the whole wave), "area", "gender", "area,gender"."""
    return ",".join(sorted(set(table.by)))


def items_carried(e: SurveyResultsPublished) -> list[str]:
    return sorted({i.item for t in e.tables for c in t.cells for i in c.items})


def wave_row(event_id: UUID, e: SurveyResultsPublished) -> dict[str, Any]:
    """The wave's row as this publication (`event_id`) has it, its wave_id aside."""
    return {
        "forum_id": e.forum_id,
        "area_id": e.area_id,
        **area_columns(e.area_id),
        "opens_on": e.opens_on,
        "closes_on": e.closes_on,
        "min_cell_size": e.min_cell_size,
        "responses": e.responses,
        "items": items_carried(e),
        "published_at": e.published_at,
        "publication_id": event_id,
    }


def cell_rows(e: SurveyResultsPublished) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of survey_cells and survey_cell_items. A breakdown published twice in one event
    keeps its first table, an item twice in a cell its first count."""
    cells: list[dict[str, Any]] = []
    items: dict[tuple[Any, ...], dict[str, Any]] = {}
    seen: set[str] = set()
    for table in e.tables:
        by = breakdown(table)
        if by in seen:
            continue
        seen.add(by)
        for position, c in enumerate(table.cells):
            key = {"wave_id": e.wave_id, "breakdown": by, "cell": position}
            cells.append(
                key
                | {"area_id": c.area_id, "gender": c.gender}
                | area_columns(c.area_id)
                | {"suppressed": c.suppressed, "responses": c.responses}
            )
            for i in c.items:
                items.setdefault(
                    (by, position, i.item),
                    key | {"item": i.item, "answered": i.answered, "positive": i.positive},
                )
    return cells, list(items.values())


@dataclass(frozen=True)
class Cell:
    """One published cell (of a wave, at a position in its table): the row it counts in (a
    gender or an area), the items its wave asked, its responses (None when suppressed) and
    per item (answered, positive or None when under the minimum)."""

    wave_id: object
    position: int
    key: str
    suppressed: bool
    asked: frozenset[str]
    counts: Mapping[str, tuple[int, int | None]]
    responses: int | None = None


def item_figures(cells: Iterable[Cell], item: str) -> dict[str, Any]:
    answered = positive = suppressed = 0
    for cell in cells:
        if item not in cell.asked:
            continue
        count = None if cell.suppressed else cell.counts.get(item)
        if count is None or count[1] is None:
            suppressed += 1
            continue
        answered += count[0]
        positive += count[1]
    return {
        "share": figures.share(positive, answered),
        "answered": answered,
        "positive": positive,
        "suppressed": suppressed,
    }


def _item_labels(item: str) -> dict[str, Any]:
    en, ar = CODES[item]
    return {"item": item, "item_en": en, "item_ar": ar}


def _prefixed(prefix: str, values: dict[str, Any]) -> dict[str, Any]:
    return {f"{prefix}_{k}": v for k, v in values.items()}


def by_gender(gendered: Sequence[Cell]) -> list[dict[str, Any]]:
    """One row per standard item: all respondents' share (every cell), then each gender's."""
    rows = []
    for item in ITEMS:
        row = _item_labels(item) | _prefixed(ALL, item_figures(gendered, item))
        for gender in GENDERS:
            mine = (c for c in gendered if c.key == gender)
            row |= _prefixed(gender, item_figures(mine, item))
        rows.append(row)
    return rows


def by_area(
    cells: Sequence[Cell], order: Sequence[str], label: Callable[[str], dict[str, Any]]
) -> list[dict[str, Any]]:
    """One row per area (in `order`) and item, for the items its cells asked."""
    rows = []
    for key in order:
        mine = [c for c in cells if c.key == key]
        for item in ITEMS:
            values = item_figures(mine, item)
            if values["answered"] or values["suppressed"]:
                rows.append(label(key) | _item_labels(item) | values)
    return rows


def headlines(gender_rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    shares = {row["item"]: row[f"{ALL}_share"] for row in gender_rows}
    return {key: shares.get(item) for key, item in HEADLINES.items()}


def suppressed_cells(*groups: Iterable[Cell]) -> int:
    """Distinct suppressed cells (a cell may count both by gender and by area)."""
    return len({(c.wave_id, c.position) for cells in groups for c in cells if c.suppressed})


def responses(cells: Iterable[Cell]) -> int:
    """The responses in the shown cells: never the wave's total, which, less the shown
    cells, would say how many the suppressed ones hold."""
    return sum(c.responses or 0 for c in cells if not c.suppressed)
