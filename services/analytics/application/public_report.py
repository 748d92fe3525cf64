"""The monthly public report: true counts from the read models, suppressed before shown."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.reference import load_reference

from ..domain import public_report as rules
from ..repositories.public_report import raw_counts


async def public_report(session: AsyncSession, month: str | None, now: datetime) -> dict[str, Any]:
    filters = rules.month_filters(month, now.astimezone(UTC).date())
    return rules.report(load_reference(), filters, await raw_counts(session, filters))
