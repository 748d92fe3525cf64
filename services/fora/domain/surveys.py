"""Perception surveys: standard items, anonymous responses, results with small cells hidden.

Responses carry no identity, only the area, gender and age band they are counted by. Results
are published per cell (a combination of the chosen breakdowns) only when the cell has at least
MIN_CELL responses; an item inside a published cell likewise needs MIN_CELL answers. Because
the overall total is published too, a table with exactly one hidden cell would give it away by
subtraction, so the smallest published cell of that table is hidden with it (complementary
suppression). The same cells are published as counts in `survey.results_published`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from libs.chassis.errors import RuleViolation

MIN_CELL = 5
BREAKDOWNS = ("area", "gender", "age_band")


@dataclass(frozen=True)
class Item:
    code: str
    en: str
    ar: str
    options: tuple[str, ...]
    positive: tuple[str, ...]  # the answers the headline share counts


_YES_NO = ("yes", "no", "dont_know")
ITEMS: dict[str, Item] = {
    item.code: item
    for item in (
        Item(
            "feel_safe_after_dark",
            "How safe do you feel walking alone in your area after dark?",
            "ما مدى شعورك بالأمان عند المشي بمفردك في منطقتك بعد حلول الظلام؟",
            ("very_safe", "fairly_safe", "a_bit_unsafe", "very_unsafe", "dont_know"),
            ("very_safe", "fairly_safe"),
        ),
        Item(
            "trust_police",
            "How much do you trust the police?",
            "إلى أي مدى تثق بالشرطة؟",
            ("a_great_deal", "quite_a_lot", "not_very_much", "none_at_all", "dont_know"),
            ("a_great_deal", "quite_a_lot"),
        ),
        Item(
            "advise_report_domestic_violence",
            "Would you advise a survivor of domestic violence to report it to the police?",
            "هل تنصح ضحية العنف الأسري بالإبلاغ للشرطة؟",
            _YES_NO,
            ("yes",),
        ),
        Item(
            "advise_report_theft",
            "Would you advise a theft victim to report it to the police?",
            "هل تنصح ضحية السرقة بالإبلاغ للشرطة؟",
            _YES_NO,
            ("yes",),
        ),
        Item(
            "advise_report_assault",
            "Would you advise an assault victim to report it to the police?",
            "هل تنصح ضحية الاعتداء بالإبلاغ للشرطة؟",
            _YES_NO,
            ("yes",),
        ),
        Item(
            "heard_of_council",
            "Have you heard of the local security council?",
            "هل سمعت بمجلس الأمن المحلي؟",
            ("yes", "no"),
            ("yes",),
        ),
    )
}


def check_wave(items: Sequence[str], opens_on: date, closes_on: date) -> None:
    """A wave asks standard items, each once, over a period that does not end before it starts."""
    unknown = [i for i in items if i not in ITEMS]
    if unknown:
        raise RuleViolation("items", f"unknown items {unknown}; standard: {list(ITEMS)}")
    if len(set(items)) < len(items):
        raise RuleViolation("items", "an item may appear only once")
    if closes_on < opens_on:
        raise RuleViolation("closes_on", "must not be before opens_on")


def check_publishable(opens_on: date, today: date) -> None:
    if today < opens_on:
        raise RuleViolation("opens_on", f"the wave opens on {opens_on}: nothing to publish")


def check_answers(items: Sequence[str], answers: Mapping[str, str]) -> None:
    for code, value in answers.items():
        if code not in items:
            raise RuleViolation(("answers", code), f"not an item of this wave: {sorted(items)}")
        if value not in ITEMS[code].options:
            raise RuleViolation(("answers", code), f"must be one of {list(ITEMS[code].options)}")


@dataclass(frozen=True)
class Response:
    area: str
    gender: str | None
    age_band: str | None
    answers: Mapping[str, str]


def _cell_key(response: Response, by: Sequence[str]) -> tuple[str, ...]:
    return tuple(getattr(response, dim) or "unknown" for dim in by)


def _answers(responses: Sequence[Response], code: str) -> list[str]:
    return [r.answers[code] for r in responses if code in r.answers]


def _item_result(item: Item, answers: Sequence[str], lang: str) -> dict[str, Any]:
    label = item.en if lang == "en" else item.ar
    n = len(answers)
    if n < MIN_CELL:
        return {"item": item.code, "question": label, "suppressed": True}
    counts = Counter(answers)
    return {
        "item": item.code,
        "question": label,
        "suppressed": False,
        "answered": n,
        "positive_share": round(sum(counts[a] for a in item.positive) / n, 4),
        "distribution": {o: round(counts[o] / n, 4) for o in item.options},
    }


def _check_breakdowns(by: Sequence[str]) -> None:
    unknown = [dim for dim in by if dim not in BREAKDOWNS]
    if unknown:
        raise RuleViolation(
            ("query", "by"), f"unknown breakdown {unknown}; choose from {list(BREAKDOWNS)}"
        )


def table_cells(
    responses: Sequence[Response], by: Sequence[str]
) -> list[tuple[dict[str, str], list[Response] | None]]:
    """The cells of one table, sorted: each cell's breakdown values (e.g. {"gender": "male"})
    and its responses, or None when the cell is suppressed — under MIN_CELL responses, or the
    complement hidden with a table's only small cell. `by=()` is the single overall cell, which
    exists even when the wave has no responses."""
    groups: dict[tuple[str, ...], list[Response]] = {(): []} if not by else {}
    for response in responses:
        groups.setdefault(_cell_key(response, by), []).append(response)
    hidden = {key for key, rows in groups.items() if len(rows) < MIN_CELL}
    if len(hidden) == 1 and len(groups) > 1:
        # One hidden cell would be the total minus the others: hide the next smallest too.
        visible = [key for key in groups if key not in hidden]
        hidden.add(min(visible, key=lambda key: (len(groups[key]), key)))
    return [
        (dict(zip(by, key, strict=True)), None if key in hidden else groups[key])
        for key in sorted(groups)
    ]


def _cell(
    key: dict[str, str], rows: Sequence[Response] | None, items: Sequence[str], lang: str
) -> dict[str, Any]:
    if rows is None:
        return {**key, "suppressed": True}
    return {
        **key,
        "suppressed": False,
        "responses": len(rows),
        "items": [_item_result(ITEMS[code], _answers(rows, code), lang) for code in items],
    }


def results(
    responses: Iterable[Response],
    items: Sequence[str],
    by: Sequence[str] = (),
    lang: str = "en",
) -> dict[str, Any]:
    """The overall result and, if `by` names breakdowns, one cell per combination."""
    _check_breakdowns(by)
    responses = list(responses)
    [(_, overall)] = table_cells(responses, ())
    cells = [_cell(key, rows, items, lang) for key, rows in table_cells(responses, by)]
    return {
        "min_cell_size": MIN_CELL,
        "overall": _cell({}, overall, items, lang),
        "by": list(by),
        "cells": cells if by else [],
    }


# --- the published table: counts, for the survey.results_published event ------------------

#: The one table a wave's results are published as: by area and gender. No margin (overall, by
#: area, by gender) goes with it: a margin minus the visible cells of its row would give a
#: hidden cell away. Readers add visible cells up and say how many were hidden.
PUBLISHED_BY: tuple[str, ...] = ("area", "gender")


@dataclass(frozen=True)
class ItemCount:
    item: str
    answered: int
    positive: int | None  # None when under MIN_CELL answered


@dataclass(frozen=True)
class CountCell:
    key: Mapping[str, str]  # breakdown -> value, e.g. {"area": "AM-01-S1", "gender": "unknown"}
    responses: int | None  # None: suppressed, and then nothing else is said
    items: tuple[ItemCount, ...] = ()


@dataclass(frozen=True)
class CountTable:
    by: tuple[str, ...]
    cells: tuple[CountCell, ...]


def _item_count(item: Item, answers: Sequence[str]) -> ItemCount:
    positive = sum(a in item.positive for a in answers) if len(answers) >= MIN_CELL else None
    return ItemCount(item.code, len(answers), positive)


def _count_cell(
    key: dict[str, str], rows: Sequence[Response] | None, items: Sequence[str]
) -> CountCell:
    if rows is None:
        return CountCell(key, None)
    counts = tuple(_item_count(ITEMS[code], _answers(rows, code)) for code in items)
    return CountCell(key, len(rows), counts)


def count_table(
    responses: Iterable[Response], items: Sequence[str], by: Sequence[str] = PUBLISHED_BY
) -> CountTable:
    """A wave's results by `by` as counts (not shares), suppressed exactly as `results`
    suppresses them, so that a reader can add cells up across areas and waves."""
    cells = table_cells(list(responses), by)
    return CountTable(tuple(by), tuple(_count_cell(key, rows, items) for key, rows in cells))
