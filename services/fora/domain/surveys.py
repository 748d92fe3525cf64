"""Perception surveys: instruments (questionnaires) as versioned data, anonymous responses,
and results with small cells hidden so that no hidden cell can be worked out.

An instrument is a versioned record: items with Arabic and English wording, an answer scale
and which answers count as positive, whether an item may be skipped, and the breakdowns it
collects (area always; gender and age band if it asks them; programme-defined groups such as
refugee / host community / displaced). The standard instrument (SDG 16.1.4 "feel safe walking
alone after dark", trust in police, "would advise reporting") ships here; programmes add
their own through the API, and a wave asks one instrument version.

Responses carry no identity, only the breakdown values they are counted by.

Suppression. A wave's results are one *release*: the overall cell and every table by one or
two of the instrument's breakdowns (area, gender, area x gender, refugee status x gender...).
All of them are suppressed together, because a hidden cell can be given away not only by its
own table's total but by any combination of published figures (a gender total published in
one table minus the visible area x gender cells of that gender in another). A cell under
MIN_CELL responses is hidden; then, as long as any hidden cell's count is a linear
combination of the published counts (the rank test in `_protect`), one more cell taking part
in that combination is hidden, the smallest of its own table first (complementary
suppression). The overall number of responses is treated as public (the publication event
carries it). An item inside a shown cell needs MIN_CELL answers, and its counts are protected
the same way. Every view (results by any breakdown, the public page, the event) is cut from
the same release, so no two of them can be subtracted to reveal what either hides.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from typing import Any

import numpy as np

from libs.chassis.errors import RuleViolation

MIN_CELL = 5
#: The breakdowns every instrument may collect; area is always collected.
STANDARD_BREAKDOWNS = ("area", "gender", "age_band")
#: A release holds tables by up to this many breakdowns crossed.
MAX_CROSS = 2
STANDARD_CODE = "standard"


@dataclass(frozen=True)
class Item:
    code: str
    en: str
    ar: str
    options: tuple[str, ...]
    positive: tuple[str, ...]  # the answers the headline share counts
    optional: bool = True
    #: option code -> (English, Arabic) wording of the answer
    option_labels: Mapping[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Group:
    """A programme-defined breakdown, e.g. population_group: refugee / host / displaced."""

    code: str
    en: str
    ar: str
    values: tuple[str, ...]
    value_labels: Mapping[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Instrument:
    code: str
    version: int
    title_en: str
    title_ar: str
    items: tuple[Item, ...]
    breakdowns: tuple[str, ...] = STANDARD_BREAKDOWNS  # of STANDARD_BREAKDOWNS
    groups: tuple[Group, ...] = ()

    @property
    def dims(self) -> tuple[str, ...]:
        """Every breakdown results can be cut by, area first."""
        return (
            "area",
            *(b for b in self.breakdowns if b != "area"),
            *(g.code for g in self.groups),
        )

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)

    @property
    def item_codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.items)


_YES_NO = ("yes", "no", "dont_know")
_YES_NO_LABELS = {"yes": ("Yes", "نعم"), "no": ("No", "لا"), "dont_know": ("Don't know", "لا أعرف")}
STANDARD_ITEMS: tuple[Item, ...] = (
    Item(
        "feel_safe_after_dark",
        "How safe do you feel walking alone in your area after dark?",
        "ما مدى شعورك بالأمان عند المشي بمفردك في منطقتك بعد حلول الظلام؟",
        ("very_safe", "fairly_safe", "a_bit_unsafe", "very_unsafe", "dont_know"),
        ("very_safe", "fairly_safe"),
        option_labels={
            "very_safe": ("Very safe", "آمن جداً"),
            "fairly_safe": ("Fairly safe", "آمن إلى حد ما"),
            "a_bit_unsafe": ("A bit unsafe", "غير آمن قليلاً"),
            "very_unsafe": ("Very unsafe", "غير آمن أبداً"),
            "dont_know": ("Don't know", "لا أعرف"),
        },
    ),
    Item(
        "trust_police",
        "How much do you trust the police?",
        "إلى أي مدى تثق بالشرطة؟",
        ("a_great_deal", "quite_a_lot", "not_very_much", "none_at_all", "dont_know"),
        ("a_great_deal", "quite_a_lot"),
        option_labels={
            "a_great_deal": ("A great deal", "كثيراً جداً"),
            "quite_a_lot": ("Quite a lot", "كثيراً"),
            "not_very_much": ("Not very much", "ليس كثيراً"),
            "none_at_all": ("None at all", "لا أثق أبداً"),
            "dont_know": ("Don't know", "لا أعرف"),
        },
    ),
    Item(
        "advise_report_domestic_violence",
        "Would you advise a survivor of domestic violence to report it to the police?",
        "هل تنصح ضحية العنف الأسري بالإبلاغ للشرطة؟",
        _YES_NO,
        ("yes",),
        option_labels=_YES_NO_LABELS,
    ),
    Item(
        "advise_report_theft",
        "Would you advise a theft victim to report it to the police?",
        "هل تنصح ضحية السرقة بالإبلاغ للشرطة؟",
        _YES_NO,
        ("yes",),
        option_labels=_YES_NO_LABELS,
    ),
    Item(
        "advise_report_assault",
        "Would you advise an assault victim to report it to the police?",
        "هل تنصح ضحية الاعتداء بالإبلاغ للشرطة؟",
        _YES_NO,
        ("yes",),
        option_labels=_YES_NO_LABELS,
    ),
    Item(
        "heard_of_council",
        "Have you heard of the local security council?",
        "هل سمعت بمجلس الأمن المحلي؟",
        ("yes", "no"),
        ("yes",),
        option_labels={"yes": ("Yes", "نعم"), "no": ("No", "لا")},
    ),
)
#: The standard instrument, version 1: what every wave asked before instruments were data.
STANDARD = Instrument(
    STANDARD_CODE,
    1,
    "Standard community safety perception survey",
    "مسح التصورات القياسي للسلامة المجتمعية",
    STANDARD_ITEMS,
)
ITEMS: dict[str, Item] = {item.code: item for item in STANDARD_ITEMS}


# --- instruments as data ---------------------------------------------------------------------


def _labels(options: Sequence[Mapping[str, Any]]) -> dict[str, tuple[str, str]]:
    return {o["code"]: (o["en"], o["ar"]) for o in options}


def instrument_from_record(record: Mapping[str, Any]) -> Instrument:
    """An instrument from its stored record (the request's shape, as JSON)."""
    items = tuple(
        Item(
            i["code"],
            i["en"],
            i["ar"],
            tuple(o["code"] for o in i["scale"]),
            tuple(i["positive"]),
            bool(i.get("optional", False)),
            _labels(i["scale"]),
        )  # fmt: skip
        for i in record["items"]
    )
    groups = tuple(
        Group(
            g["code"], g["en"], g["ar"], tuple(v["code"] for v in g["values"]), _labels(g["values"])
        )
        for g in record.get("groups") or ()
    )
    return Instrument(
        record["code"], int(record["version"]), record["title_en"], record["title_ar"], items,
        ("area", *record.get("breakdowns", ())), groups,
    )  # fmt: skip


def instrument_record(instrument: Instrument) -> dict[str, Any]:
    """The inverse of `instrument_from_record`, for answering with the standard instrument."""

    def scale(codes: Sequence[str], labels: Mapping[str, tuple[str, str]]) -> list[dict[str, str]]:
        return [
            {"code": c, "en": labels.get(c, (c, c))[0], "ar": labels.get(c, (c, c))[1]}
            for c in codes
        ]

    return {
        "code": instrument.code,
        "version": instrument.version,
        "title_en": instrument.title_en,
        "title_ar": instrument.title_ar,
        "items": [
            {
                "code": i.code,
                "en": i.en,
                "ar": i.ar,
                "scale": scale(i.options, i.option_labels),
                "positive": list(i.positive),
                "optional": i.optional,
            }
            for i in instrument.items
        ],  # fmt: skip
        "breakdowns": [b for b in instrument.breakdowns if b != "area"],
        "groups": [
            {"code": g.code, "en": g.en, "ar": g.ar, "values": scale(g.values, g.value_labels)}
            for g in instrument.groups
        ],
    }


def check_instrument(instrument: Instrument) -> None:
    """Codes unique, every positive answer on the scale, groups not named like a standard
    breakdown; the standard instrument's code is reserved."""
    if instrument.code == STANDARD_CODE:
        raise RuleViolation("code", f"{STANDARD_CODE!r} is the standard instrument's code")
    codes = [i.code for i in instrument.items]
    if len(set(codes)) < len(codes):
        raise RuleViolation("items", "an item code may appear only once")
    for n, item in enumerate(instrument.items):
        if len(set(item.options)) < len(item.options) or len(item.options) < 2:
            raise RuleViolation(("items", n, "scale"), "give at least two distinct answers")
        if not item.positive or not set(item.positive) <= set(item.options):
            raise RuleViolation(("items", n, "positive"), "must be answers of the item's scale")
    if not any(not i.optional for i in instrument.items) and not instrument.items:
        raise RuleViolation("items", "an instrument asks at least one item")
    unknown = [b for b in instrument.breakdowns if b not in STANDARD_BREAKDOWNS]
    if unknown:
        raise RuleViolation(
            "breakdowns", f"standard breakdowns are {list(STANDARD_BREAKDOWNS[1:])}"
        )
    group_codes = [g.code for g in instrument.groups]
    if len(set(group_codes)) < len(group_codes):
        raise RuleViolation("groups", "a group breakdown code may appear only once")
    for n, group in enumerate(instrument.groups):
        if group.code in STANDARD_BREAKDOWNS:
            raise RuleViolation(("groups", n, "code"), "is a standard breakdown's name")
        if len(set(group.values)) < len(group.values) or len(group.values) < 2:
            raise RuleViolation(("groups", n, "values"), "give at least two distinct values")
        if "unknown" in group.values:
            raise RuleViolation(("groups", n, "values"), "'unknown' stands for no answer")


# --- waves and responses ---------------------------------------------------------------------


def check_wave(
    items: Sequence[str], opens_on: date, closes_on: date, instrument: Instrument = STANDARD
) -> None:
    """A wave asks items of its instrument, each once, over a period that does not end before
    it starts. Every item the instrument requires is asked."""
    unknown = [i for i in items if instrument.item(i) is None]
    if unknown:
        raise RuleViolation(
            "items",
            f"not items of instrument {instrument.code} v{instrument.version}: "
            f"{list(instrument.item_codes)}",
        )
    if len(set(items)) < len(items):
        raise RuleViolation("items", "an item may appear only once")
    missing = [i.code for i in instrument.items if not i.optional and i.code not in items]
    if missing:
        raise RuleViolation("items", f"the instrument requires {missing}")
    if closes_on < opens_on:
        raise RuleViolation("closes_on", "must not be before opens_on")


def check_publishable(opens_on: date, today: date) -> None:
    if today < opens_on:
        raise RuleViolation("opens_on", f"the wave opens on {opens_on}: nothing to publish")


def check_answers(
    items: Sequence[str], answers: Mapping[str, str], instrument: Instrument = STANDARD
) -> None:
    """Each answer on its item's scale, for an item of the wave; required items answered."""
    for code, value in answers.items():
        item = instrument.item(code)
        if code not in items or item is None:
            raise RuleViolation(("answers", code), f"not an item of this wave: {sorted(items)}")
        if value not in item.options:
            raise RuleViolation(("answers", code), f"must be one of {list(item.options)}")
    for code in items:
        item = instrument.item(code)
        if item is not None and not item.optional and code not in answers:
            raise RuleViolation(("answers", code), "required: the item is not optional")


def check_breakdown_values(
    instrument: Instrument,
    gender: str | None,
    age_band: str | None,
    groups: Mapping[str, str],
) -> None:
    """A response says only what its instrument collects."""
    if gender is not None and "gender" not in instrument.breakdowns:
        raise RuleViolation("gender", "the wave's instrument does not collect gender")
    if age_band is not None and "age_band" not in instrument.breakdowns:
        raise RuleViolation("age_band", "the wave's instrument does not collect age bands")
    defined = {g.code: g for g in instrument.groups}
    for code, value in groups.items():
        group = defined.get(code)
        if group is None:
            raise RuleViolation(
                ("groups", code), f"not a breakdown of the instrument: {list(defined)}"
            )
        if value not in group.values:
            raise RuleViolation(("groups", code), f"must be one of {list(group.values)}")


@dataclass(frozen=True)
class Response:
    area: str
    gender: str | None
    age_band: str | None
    answers: Mapping[str, str]
    groups: Mapping[str, str] = field(default_factory=dict)

    def value(self, dim: str) -> str:
        if dim == "area":
            return self.area
        if dim == "gender":
            return self.gender or "unknown"
        if dim == "age_band":
            return self.age_band or "unknown"
        return self.groups.get(dim) or "unknown"


# --- the release: every table, suppressed together -------------------------------------------

CellKey = tuple[str, ...]
Table = tuple[str, ...]  # the breakdowns of a table, () for the whole wave


def lattice(dims: Sequence[str]) -> list[Table]:
    """The tables a release holds: the whole wave, and by every one or two breakdowns."""
    tables: list[Table] = [()]
    for size in range(1, MAX_CROSS + 1):
        tables.extend(combinations(dims, size))
    return tables


@dataclass(frozen=True)
class _Row:
    table: Table
    key: CellKey
    fine: frozenset[int]  # the finest cells (all breakdowns crossed) it adds up


def _leaking(
    matrix: np.ndarray[Any, Any], shown: Sequence[int], suspects: Iterable[int]
) -> tuple[list[int], np.ndarray[Any, Any]]:
    """The suspects whose row is a linear combination of the shown rows (it lies in their row
    space: nothing of it is left in the null space), and the shown rows' matrix."""
    a = matrix[list(shown)]
    if not len(shown):
        return [], a
    _, s, vt = np.linalg.svd(a, full_matrices=False)
    basis = vt[: int((s > 1e-9).sum())]
    suspects = [h for h in suspects if matrix[h].any()]
    if not suspects:
        return [], a
    candidates = matrix[suspects]
    residual = candidates - (candidates @ basis.T) @ basis
    return [h for h, r in zip(suspects, np.abs(residual).max(axis=1), strict=True) if r < 1e-7], a


def _protect(
    matrix: np.ndarray[Any, Any],
    rows: Sequence[_Row],
    sizes: Sequence[int],
    hidden: set[int],
    known: set[int],
) -> set[int]:
    """Hide more rows until no hidden row is a linear combination of the visible and `known`
    ones (complementary suppression across every table at once).

    For a hidden row given away, one of its finest cells f is paired with a finest cell x
    outside it, and every shown row holding exactly one of the two is hidden: then moving one
    response from x to f changes no shown figure but changes the hidden row, so the row can
    no longer be worked out (and hiding more later never undoes that). The pair chosen hides
    the fewest responses, counting a margin (a row that is, or has a twin in, a table by fewer
    breakdowns) three times, so that complements come from crossed tables first."""
    weight = np.array(
        [
            sizes[i] * (1 + 2 * (MAX_CROSS - len(rows[i].table)))
            for i in range(len(rows))
        ],
        dtype=float,
    )
    member = matrix > 0.5
    # Identical rows (a cell that is also a margin, as area x gender is gender for one area)
    # are one figure: hidden in both tables or neither.
    twins: dict[frozenset[int], set[int]] = {}
    for i, row in enumerate(rows):
        twins.setdefault(row.fine, set()).add(i)
    for group in twins.values():
        heaviest = max(weight[list(group)])
        weight[list(group)] = heaviest
    hidden = {j for i in hidden for j in twins[rows[i].fine]}
    accepted: set[int] = set()  # nothing outside it: it is the overall count, public anyway
    while True:
        shown = [i for i in range(len(rows)) if i not in hidden or i in known]
        leaking, _ = _leaking(matrix, shown, sorted(hidden - known - accepted))
        if not leaking:
            return hidden
        h = leaking[0]
        inside = sorted(rows[h].fine)
        outside = np.array([j for j in range(matrix.shape[1]) if j not in rows[h].fine])
        if not len(outside):
            accepted.add(h)
            continue
        hideable = np.array([i for i in shown if i not in known])
        sub = member[hideable]
        best: tuple[float, int, int] | None = None
        for f in inside:
            differs = sub[:, [f]] != sub[:, outside]  # rows holding exactly one of f, x
            costs = weight[hideable] @ differs
            k = int(np.argmin(costs))
            if best is None or costs[k] < best[0]:
                best = (float(costs[k]), f, int(outside[k]))
        assert best is not None
        _, f, x = best
        hidden |= {int(i) for i, row in zip(hideable, sub, strict=True) if row[f] != row[x]}


@dataclass(frozen=True)
class Release:
    """A wave's results, suppressed as one: the cells of every table and which are hidden."""

    instrument: Instrument
    items: tuple[str, ...]
    tables: dict[Table, list[tuple[CellKey, list[Response]]]]
    hidden: frozenset[tuple[Table, CellKey]]
    #: item -> the cells whose counts of that item are hidden (fewer than MIN_CELL answered)
    item_hidden: Mapping[str, frozenset[tuple[Table, CellKey]]]

    def cells(self, table: Table) -> list[tuple[dict[str, str], list[Response] | None]]:
        """A table's cells, sorted: breakdown values and responses, or None when hidden."""
        if table not in self.tables:
            raise RuleViolation(
                ("query", "by"),
                f"choose up to {MAX_CROSS} of the breakdowns {list(self.instrument.dims)}",
            )
        return [
            (dict(zip(table, key, strict=True)), None if (table, key) in self.hidden else rows)
            for key, rows in self.tables[table]
        ]

    def item_shown(self, table: Table, key: Mapping[str, str], item: str) -> bool:
        cell = (table, tuple(key[d] for d in table))
        return cell not in self.item_hidden.get(item, frozenset())


def canonical(by: Sequence[str], instrument: Instrument) -> Table:
    """`by` in the instrument's order of breakdowns (a table is the same whichever way round)."""
    unknown = [d for d in by if d not in instrument.dims]
    if unknown or len(set(by)) < len(by) or len(by) > MAX_CROSS:
        raise RuleViolation(
            ("query", "by"),
            f"choose up to {MAX_CROSS} of the instrument's breakdowns {list(instrument.dims)}",
        )
    return tuple(d for d in instrument.dims if d in by)


def release(
    responses: Iterable[Response], items: Sequence[str], instrument: Instrument = STANDARD
) -> Release:
    responses = list(responses)
    dims = instrument.dims
    fine: dict[CellKey, list[Response]] = {}
    for response in responses:
        fine.setdefault(tuple(response.value(d) for d in dims), []).append(response)
    fine_keys = sorted(fine)
    rows: list[_Row] = []
    tables: dict[Table, list[tuple[CellKey, list[Response]]]] = {}
    for table in lattice(dims):
        positions = [dims.index(d) for d in table]
        groups: dict[CellKey, set[int]] = {(): set()} if not table else {}
        for j, key in enumerate(fine_keys):
            groups.setdefault(tuple(key[p] for p in positions), set()).add(j)
        tables[table] = []
        for key in sorted(groups):
            members = frozenset(groups[key])
            rows.append(_Row(table, key, members))
            tables[table].append((key, [r for j in sorted(members) for r in fine[fine_keys[j]]]))
    sizes = [sum(len(fine[fine_keys[j]]) for j in row.fine) for row in rows]
    matrix = np.zeros((len(rows), max(len(fine_keys), 1)))
    for i, row in enumerate(rows):
        for j in row.fine:
            matrix[i, j] = 1.0
    known = {0}  # the overall count of responses is public
    small = {i for i, n in enumerate(sizes) if n < MIN_CELL}
    hidden = _protect(matrix, rows, sizes, small, known) - known
    item_hidden: dict[str, frozenset[tuple[Table, CellKey]]] = {}
    for code in items:
        # The same unknowns as the counts: which finest cells hold answers to the item is
        # not published (an item under MIN_CELL answers shows no count at all).
        answered_in = [sum(code in r.answers for r in fine[key]) for key in fine_keys]
        answered = [sum(answered_in[j] for j in row.fine) for row in rows]
        start = set(hidden) | {i for i, n in enumerate(answered) if n < MIN_CELL}
        if start != hidden:
            start = _protect(matrix, rows, answered, start, set())
        item_hidden[code] = frozenset((rows[i].table, rows[i].key) for i in start)
    return Release(
        instrument, tuple(items), tables,
        frozenset((rows[i].table, rows[i].key) for i in hidden),
        item_hidden,
    )  # fmt: skip


# --- results (shares) ------------------------------------------------------------------------


def _answers(responses: Sequence[Response], code: str) -> list[str]:
    return [r.answers[code] for r in responses if code in r.answers]


def _item_result(item: Item, answers: Sequence[str], shown: bool, lang: str) -> dict[str, Any]:
    label = item.en if lang == "en" else item.ar
    if not shown:
        return {"item": item.code, "question": label, "suppressed": True}
    n = len(answers)
    counts = Counter(answers)
    return {
        "item": item.code,
        "question": label,
        "suppressed": False,
        "answered": n,
        "positive_share": round(sum(counts[a] for a in item.positive) / n, 4),
        "distribution": {o: round(counts[o] / n, 4) for o in item.options},
    }


def _cell(
    rel: Release, table: Table, key: dict[str, str], rows: Sequence[Response] | None, lang: str
) -> dict[str, Any]:
    if rows is None:
        return {**key, "suppressed": True}
    items = []
    for code in rel.items:
        item = rel.instrument.item(code)
        if item is not None:
            shown = rel.item_shown(table, key, code)
            items.append(_item_result(item, _answers(rows, code), shown, lang))
    return {**key, "suppressed": False, "responses": len(rows), "items": items}


def _overall_cell(rel: Release, lang: str) -> dict[str, Any]:
    [(key, rows)] = rel.cells(())
    if rows is not None and len(rows) < MIN_CELL:
        rows = None  # the count is public, but under MIN_CELL nothing is shown
    return _cell(rel, (), key, rows, lang)


def results_of(rel: Release, by: Sequence[str] = (), lang: str = "en") -> dict[str, Any]:
    """The overall result and, if `by` names breakdowns, one cell per combination."""
    table = canonical(by, rel.instrument)
    cells = [_cell(rel, table, key, rows, lang) for key, rows in rel.cells(table)]
    return {
        "min_cell_size": MIN_CELL,
        "overall": _overall_cell(rel, lang),
        "by": list(by),
        "cells": cells if by else [],
    }


def results(
    responses: Iterable[Response],
    items: Sequence[str],
    by: Sequence[str] = (),
    lang: str = "en",
    instrument: Instrument = STANDARD,
) -> dict[str, Any]:
    canonical(by, instrument)
    return results_of(release(responses, items, instrument), by, lang)


# --- the published tables: counts, for the survey.results_published event --------------------

#: The table analytics reads a wave by; the event carries it with the overall cell and every
#: single breakdown, all cut from the one release.
PUBLISHED_BY: tuple[str, ...] = ("area", "gender")


def published_tables(instrument: Instrument) -> list[Table]:
    tables: list[Table] = [(), *((d,) for d in instrument.dims)]
    if "gender" in instrument.dims:
        tables.append(PUBLISHED_BY)
    return tables


@dataclass(frozen=True)
class ItemCount:
    item: str
    answered: int | None  # None, and positive too, when the item's counts are hidden
    positive: int | None


@dataclass(frozen=True)
class CountCell:
    key: Mapping[str, str]  # breakdown -> value, e.g. {"area": "AM-01-S1", "gender": "unknown"}
    responses: int | None  # None: suppressed, and then nothing else is said
    items: tuple[ItemCount, ...] = ()


@dataclass(frozen=True)
class CountTable:
    by: tuple[str, ...]
    cells: tuple[CountCell, ...]


def count_table_of(rel: Release, by: Sequence[str] = PUBLISHED_BY) -> CountTable:
    table = canonical(by, rel.instrument)
    cells = []
    for key, rows in rel.cells(table):
        if table == () and rows is not None and len(rows) < MIN_CELL:
            rows = None
        if rows is None:
            cells.append(CountCell(key, None))
            continue
        counts = []
        for code in rel.items:
            item = rel.instrument.item(code)
            if item is None:
                continue
            answers = _answers(rows, code)
            if rel.item_shown(table, key, code):
                counts.append(
                    ItemCount(code, len(answers), sum(a in item.positive for a in answers))
                )
            else:
                counts.append(ItemCount(code, None, None))
        cells.append(CountCell(key, len(rows), tuple(counts)))
    return CountTable(table, tuple(cells))


def count_table(
    responses: Iterable[Response],
    items: Sequence[str],
    by: Sequence[str] = PUBLISHED_BY,
    instrument: Instrument = STANDARD,
) -> CountTable:
    """A wave's results by `by` as counts (not shares), cut from the same release as
    `results`, so that a reader can add cells up across areas and waves."""
    return count_table_of(release(responses, items, instrument), by)
