"""The programme views: outreach (activities and trainings), membership, plans (safety-plan
indicators) and sara (problem-solving cases and their assessments)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.reference import load_reference

from ..domain import programme
from ..domain.notes import note
from ..domain.scope import Filters, child_level, rolls_into
from . import repository


def _view(name: str, filters: Filters, summary: dict, tables: dict, notes=None) -> dict:
    return {
        "view": name,
        "filters": filters.as_dict(),
        "summary": summary,
        "notes": notes or [],
        "tables": tables,
    }


async def outreach_view(session: AsyncSession, filters: Filters) -> dict[str, Any]:
    reference = load_reference()
    level = child_level(reference, filters.area)
    activities = [
        programme.Activity(
            r.forum_id,
            r.forum_type,
            rolls_into(level, r),
            programme.origin_of(r.forum_id, r.origin),
            r.kind,
            r.audience,
            r.held_on,
            r.participants,
            r.women,
            r.men,
            r.gender_unknown,
            r.direct_beneficiaries,
            r.indirect_beneficiaries,
        )
        for r in await repository.activities(session, filters)
    ]
    tables = programme.outreach_tables(reference, filters, level, activities)
    _, fora = programme.by_forum(activities)
    notes = (
        [note("list_truncated", f"{programme.MAX_FORA} / {fora}")]
        if fora > programme.MAX_FORA
        else []
    )
    return _view("outreach", filters, programme.activity_figures(activities), tables, notes)


async def membership_view(session: AsyncSession, filters: Filters) -> dict[str, Any]:
    reference = load_reference()
    level = child_level(reference, filters.area)
    rows = await repository.memberships(session, filters)
    cells: dict[object, list[tuple[str, str, int]]] = defaultdict(list)
    if rows:
        for event_id, group, gender, n in await repository.membership_cells_of(
            session, [r.event_id for r in rows]
        ):
            cells[event_id].append((group, gender, n))
    counts = [
        programme.Membership(
            r.forum_id,
            r.forum_type,
            rolls_into(level, r),
            r.members,
            tuple(sorted(cells.get(r.event_id, []))),
        )
        for r in rows
    ]
    tables = programme.membership_tables(reference, filters, level, counts)
    notes = (
        [note("list_truncated", f"{programme.MAX_FORA} / {len(counts)}")]
        if len(counts) > programme.MAX_FORA
        else []
    )
    return _view("membership", filters, programme.membership_figures(counts), tables, notes)


async def plans_view(session: AsyncSession, filters: Filters) -> dict[str, Any]:
    values = [
        programme.IndicatorValue(
            r.plan_id,
            r.indicator_id,
            r.area_id,
            r.source,
            r.origin,
            r.item or r.iccs_code,
            r.period,
            r.period_start,
            r.value,
            r.rating,
            r.baseline,
            r.target,
            r.status,
            r.as_of,
        )
        for r in await repository.indicator_values(session, filters)
    ]
    figures = programme.plan_tables(filters, values)
    summary = figures.pop("summary")
    return _view("plans", filters, summary, figures)


async def sara_view(session: AsyncSession, filters: Filters) -> dict[str, Any]:
    reference = load_reference()
    level = child_level(reference, filters.area)
    cases = [
        programme.Case(r.case_id, rolls_into(level, r), r.iccs_code, r.stage, r.opened_at)
        for r in await repository.cases(session, filters)
    ]
    assessments = [dict(r._mapping) for r in await repository.assessments(session, filters)]
    figures = programme.sara_tables(reference, filters, level, cases, assessments)
    summary = figures.pop("summary")
    return _view("sara", filters, summary, figures)


PROGRAMME_VIEWS = {
    "outreach": outreach_view,
    "membership": membership_view,
    "plans": plans_view,
    "sara": sara_view,
}
