"""The before/after evaluation of a programme: a pilot (treated) area and a comparison area,
before and after the programme's start, side by side.

- incidents: counted in this read model per area and window (the crime view's conditions),
  and the WDD with its interval and the Poisson E-test from the incidents service's
  `GET /v1/evaluations/before-after` (fetched server-side; when it cannot be had the page
  says why and still shows the counts);
- complaints received, and complaints first closed, in each window (accountability's facts);
- survey perceptions: per standard item, the positive share (with Wilson's interval) over
  the shown cells lying in the area, of the waves closing in the window.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.reference import load_reference

from ..crime import repository as crime_repository
from ..domain import evaluation, survey
from ..domain.evaluation import ROLES, WINDOWS, Evaluation
from ..domain.notes import note
from ..domain.scope import Filters
from ..survey import repository as survey_repository
from . import repository

# fetch(evaluation) -> the incidents service's before/after answer; raises
# EvaluationUnavailable with the reason the page shows.
FetchEvaluation = Callable[[Evaluation], Awaitable[dict[str, Any]]]


class EvaluationUnavailable(Exception):
    """The incidents service's statistics could not be had; the message says why."""


async def _survey_cells(
    session: AsyncSession, area: str, first: date, last: date
) -> list[survey.Cell]:
    """The published cells lying in the area, of the waves closing between the two days."""
    filters = Filters(first, last, area, None)  # no forum type: every wave
    return await survey_repository.cells(
        session, filters, survey_repository.cells_in(filters), lambda _: survey.ALL
    )


async def _incidents_test(
    fetch: FetchEvaluation | None, chosen: Evaluation, incidents: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The incidents service's row (or none) and the notes about it."""
    if fetch is None:
        return [], [note("evaluation_unavailable", "no client for the incidents service")]
    try:
        answer = await fetch(chosen)
    except EvaluationUnavailable as exc:
        return [], [note("evaluation_unavailable", str(exc))]
    row = evaluation.wdd_row(answer)
    notes = [note("evaluation_counts_differ")] if evaluation.counts_differ(row, incidents) else []
    return [row], notes


async def evaluation_view(
    session: AsyncSession, chosen: Evaluation, fetch: FetchEvaluation | None
) -> dict[str, Any]:
    reference = load_reference()
    counts: dict[tuple[str, str], dict[str, int]] = {}
    shares: dict[tuple[str, str], list[dict[str, Any]]] = {}
    groups: list[list[survey.Cell]] = []
    for role in ROLES:
        area = chosen.area(role)
        for name in WINDOWS:
            window = chosen.window(name)
            filters = Filters(window.first, window.last, area, chosen.category)
            received, closed = await repository.complaint_counts(session, area, window)
            counts[(role, name)] = {
                "incidents": await crime_repository.count_incidents(session, filters),
                "received": received,
                "closed": closed,
            }
            cells = await _survey_cells(session, area, window.first, window.last)
            groups.append(cells)
            shares[(role, name)] = [
                {"item": item} | survey.item_figures(cells, item) for item in survey.ITEMS
            ]
    tables = evaluation.count_rows(reference, chosen, counts)
    test, test_notes = await _incidents_test(fetch, chosen, tables["incidents"])
    long, wide = evaluation.survey_rows(reference, chosen, shares)
    b, a = chosen.before, chosen.after
    notes = [
        note(
            "evaluation_windows",
            f"{b.first} – {b.last} | {a.first} – {a.last} ({b.days})",
        ),
        *test_notes,
    ]
    if chosen.treated == chosen.comparison:
        notes.append(note("evaluation_same_area"))
    hidden = survey.suppressed_cells(*groups)
    if hidden:
        notes.append(note("survey_cells_suppressed", str(hidden)))
    summary: dict[str, Any] = {
        f"{role}_{key}_{name}": counts[(role, name)][key]
        for role in ROLES
        for key in ("incidents", "received", "closed")
        for name in WINDOWS
    }
    summary |= {
        key: test[0][key] if test else None
        for key in ("wdd", "wdd_ci_low", "wdd_ci_high", "wdd_p", "etest_p")
    }
    summary["survey_waves"] = len({c.wave_id for cells in groups for c in cells})
    return {
        "view": "evaluation",
        "filters": chosen.as_dict(),
        "summary": summary,
        "notes": notes,
        "tables": {
            "incidents": tables["incidents"],
            "incidents_test": test,
            "complaints": tables["complaints"],
            "survey": long,
            "survey_shares": wide,
        },
    }


async def suggested(session: AsyncSession, scope_area: str | None, today: date) -> dict[str, str]:
    """Defaults for the page when the caller chose nothing: see domain.evaluation.suggest."""
    days = evaluation.DEFAULT_DAYS
    first = today - timedelta(days=2 * days)
    waves = await repository.waves_closing(session, first, today)
    return evaluation.suggest(load_reference(), waves, scope_area, today, days)
