"""Incidents alerts reach the community: each baseline.alert_raised becomes a proposed agenda
item on the next meeting of every forum covering the alert's area.

Runs inside the inbox transaction, so a redelivered event is a no-op; the unique
(forum_id, alert_id) constraint also absorbs the same alert re-published under a new event id.
A forum with no meeting ahead keeps the item pending until its next meeting is scheduled.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from uuid6 import uuid7

from libs.contracts.baselines import BaselineAlertRaised
from libs.contracts.envelope import Envelope
from libs.reference import load_reference
from libs.reference.model import Reference

from ..domain.areas import covering_areas
from ..repositories import meetings, registry


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


async def propose_alert(session: AsyncSession, alert: BaselineAlertRaised) -> int:
    """Put the alert on the next meeting of each covering forum; returns items added."""
    reference = load_reference()
    forum_ids = await registry.fora_in_areas(session, covering_areas(reference, alert.area_id))
    title_en, title_ar = alert_titles(reference, alert)
    details = alert.model_dump(mode="json", exclude={"raised_at"})
    added = 0
    for forum_id in forum_ids:
        added += await meetings.propose_alert_item(
            session,
            forum_id=forum_id,
            meeting_id=await meetings.next_regular(session, forum_id, alert.raised_at.date()),
            item_id=uuid7(),
            alert_id=alert.alert_id,
            details=details,
            title_en=title_en,
            title_ar=title_ar,
            created_at=datetime.now(UTC),
        )
    return added


async def apply_alert_events(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    for envelope in envelopes:
        if isinstance(envelope.data, BaselineAlertRaised):
            await propose_alert(session, envelope.data)
