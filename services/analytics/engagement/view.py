"""The community-engagement view: forum health by area and over time, and the survey
perceptions (survey.view)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.reference import load_reference

from ..domain import engagement
from ..domain.scope import Filters, child_level, rolls_into
from ..survey.view import survey_figures
from . import repository


async def engagement_view(session: AsyncSession, filters: Filters, today: date) -> dict[str, Any]:
    reference = load_reference()
    level = child_level(reference, filters.area)
    rows = await repository.fora(session, filters)
    areas = {r.forum_id: rolls_into(level, r) for r in rows}
    meetings = await repository.meetings(session, areas, filters) if areas else []
    actions = await repository.actions(session, areas, filters) if areas else []
    concerns = (
        Counter(await repository.concern_categories(session, list(areas), filters))
        if areas
        else Counter()
    )
    groups = (
        engagement.group_shares(
            await repository.group_counts(session, [m.meeting_id for m in meetings])
        )
        if meetings
        else []
    )
    types = Counter(r.forum_type for r in rows)
    surveys = await survey_figures(session, reference, filters)
    return {
        "view": "engagement",
        "filters": filters.as_dict(),
        "summary": engagement.summary(len(areas), meetings, actions, sum(concerns.values()), today)
        | surveys["summary"],
        "notes": surveys["notes"],
        "tables": {
            "by_area": engagement.by_area(
                reference, filters, level, Counter(areas.values()), meetings, actions, today
            ),
            "by_forum_type": [{"forum_type": k, "fora": n} for k, n in sorted(types.items())],
            "group_shares": groups,
            "concerns": [{"category": k, "concerns": n} for k, n in sorted(concerns.items())],
            "over_time": engagement.over_time(filters, meetings),
            **surveys["tables"],
        },
    }
