"""Incidents alerts reach the community: each baseline.alert_raised becomes a proposed agenda
item on the next meeting of every forum covering the alert's area.

Runs inside the inbox transaction, so a redelivered event is a no-op; the unique
(forum_id, alert_id) constraint also absorbs the same alert re-published under a new event id.
A forum with no meeting ahead keeps the item pending until its next meeting is scheduled.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from uuid6 import uuid7

from libs.chassis.consumer import ConsumerSpec
from libs.contracts.baselines import BaselineAlertRaised
from libs.contracts.envelope import Envelope
from libs.contracts.topics import INCIDENTS_BASELINES
from libs.reference import load_reference
from libs.reference.model import Reference

from .domain.areas import covering_areas
from .tables import agenda_items, fora, meetings


def area_name(reference: Reference, area_id: str, lang: str) -> str:
    area = (
        reference.stations.get(area_id)
        or reference.districts.get(area_id)
        or reference.governorates.get(area_id)
    )
    if area is None:
        return area_id
    return area.name_en if lang == "en" else area.name_ar


def alert_titles(reference: Reference, alert: BaselineAlertRaised) -> tuple[str, str]:
    category_en = reference.iccs_title(alert.iccs_code, "en")
    category_ar = reference.iccs_title(alert.iccs_code, "ar")
    en = (
        f"Incidents alert: {category_en} in {area_name(reference, alert.area_id, 'en')} — "
        f"{alert.observed} in the week of {alert.week_start} (expected {alert.expected:.1f})"
    )
    ar = (
        f"تنبيه حوادث: {category_ar} في {area_name(reference, alert.area_id, 'ar')} — "
        f"{alert.observed} في أسبوع {alert.week_start} (المتوقع {alert.expected:.1f})"
    )
    return en, ar


async def _next_meeting(session: AsyncSession, forum_id, on) -> object | None:
    return await session.scalar(
        select(meetings.c.meeting_id)
        .where(
            meetings.c.forum_id == forum_id,
            meetings.c.kind == "regular",
            meetings.c.status == "scheduled",
            meetings.c.scheduled_for >= on,
        )
        .order_by(meetings.c.scheduled_for)
        .limit(1)
    )


async def propose_alert(session: AsyncSession, alert: BaselineAlertRaised) -> int:
    """Put the alert on the next meeting of each covering forum; returns items added."""
    reference = load_reference()
    forum_ids = (
        await session.scalars(
            select(fora.c.forum_id).where(
                fora.c.area_id.in_(covering_areas(reference, alert.area_id))
            )
        )
    ).all()
    title_en, title_ar = alert_titles(reference, alert)
    details = alert.model_dump(mode="json", exclude={"raised_at"})
    added = 0
    for forum_id in forum_ids:
        meeting_id = await _next_meeting(session, forum_id, alert.raised_at.date())
        result = await session.execute(
            insert(agenda_items)
            .values(
                item_id=uuid7(), forum_id=forum_id, meeting_id=meeting_id, source="alert",
                status="proposed", alert_id=alert.alert_id, details=details,
                title_en=title_en, title_ar=title_ar, created_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing(constraint="agenda_items_forum_alert")
        )  # fmt: skip
        added += result.rowcount
    return added


async def apply_alert_events(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    for envelope in envelopes:
        if isinstance(envelope.data, BaselineAlertRaised):
            await propose_alert(session, envelope.data)


ALERTS_CONSUMER = ConsumerSpec(
    name="alerts", topics=(INCIDENTS_BASELINES.name,), apply=apply_alert_events
)
