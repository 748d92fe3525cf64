"""The accountability view: the cohort of complaints received in the period, with its
reviews, and the oversight recommendations made in the period."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.reference import load_reference

from ..domain import accountability, figures
from ..domain.scope import Filters
from . import repository


async def accountability_view(
    session: AsyncSession, filters: Filters, now: datetime
) -> dict[str, Any]:
    cohort = await repository.load_cohort(session, filters)
    outcomes = await repository.review_outcomes(session, [c.complaint_id for c in cohort])
    made = await repository.recommendations_made(session, filters)
    return accountability.view(
        load_reference(),
        filters,
        cohort,
        figures.counts_by(outcomes),
        accountability.recommendations_by_body(made, now),
    )
