"""Incidents alerts reach the community: a rise becomes one proposed agenda item on the next
decision meeting of every forum covering the alert's area.

One rise, one item per forum: incidents raises one alert per method, per category level (a
section and its division) and per area level (a station's rise is its district's, its
governorate's and the nation's too), and a forum receives those of its area and of every area
inside it. So, for a forum, the alerts of one ICCS section join the item of the episode still
going on — one of its alerts not yet cleared, or the item not yet discussed — and are listed
in its details with their areas. Once every alert has cleared and the item was discussed, a
new rise makes a new item.

Runs inside the inbox transaction, so a redelivered event is a no-op; the (forum_id,
alert_id) key of the episode links also absorbs the same alert re-published under a new
event id. A forum with no meeting ahead keeps the item pending until its next meeting is
scheduled.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from uuid6 import uuid7

from libs.contracts.baselines import BaselineAlertCleared, BaselineAlertRaised
from libs.contracts.envelope import Envelope
from libs.reference import load_reference
from libs.reference.model import Reference

from ..domain.areas import covering_areas
from ..domain.vocabulary import MEETING_KINDS, meeting_kind
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


def _alert_facts(alert: BaselineAlertRaised) -> dict[str, Any]:
    return {
        "alert_id": str(alert.alert_id), "area_id": alert.area_id, "method": alert.method,
        "iccs_code": alert.iccs_code,
        "week_start": alert.week_start.isoformat(), "observed": alert.observed,
        "expected": alert.expected,
    }  # fmt: skip


async def propose_alert(session: AsyncSession, alert: BaselineAlertRaised) -> int:
    """Put the alert's rise on the next meeting of each covering forum; returns items added
    (an alert joining its rise's item adds none)."""
    reference = load_reference()
    forum_ids = await registry.fora_in_areas(session, covering_areas(reference, alert.area_id))
    title_en, title_ar = alert_titles(reference, alert)
    details = alert.model_dump(mode="json", exclude={"raised_at"})
    decision_kinds = decision_meeting_kinds(reference)
    section = alert.iccs_code[:2]
    added = 0
    for forum_id in forum_ids:
        if await meetings.alert_known(session, forum_id, alert.alert_id):
            continue
        item_id = await meetings.open_episode_item(session, forum_id, section)
        if item_id is not None:
            await meetings.add_alert_to_item(session, item_id, _alert_facts(alert))
        else:
            item_id = uuid7()
            added += await meetings.propose_alert_item(
                session,
                forum_id=forum_id,
                meeting_id=await meetings.next_meeting(
                    session, forum_id, alert.raised_at.date(), decision_kinds
                ),
                item_id=item_id,
                alert_id=alert.alert_id,
                details=details | {"alerts": [_alert_facts(alert)]},
                title_en=title_en,
                title_ar=title_ar,
                created_at=datetime.now(UTC),
            )
        await meetings.link_alert(
            session,
            {
                "forum_id": forum_id, "alert_id": alert.alert_id, "item_id": item_id,
                "area_id": alert.area_id, "iccs_section": section,
                "iccs_code": alert.iccs_code, "method": alert.method,
                "week_start": alert.week_start,
            },
        )  # fmt: skip
    return added


def decision_meeting_kinds(reference: Reference) -> list[str]:
    codes = reference.vocabulary(MEETING_KINDS).codes
    return [code for code in codes if meeting_kind(reference, code).decision]


async def apply_alert_events(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    for envelope in envelopes:
        if isinstance(envelope.data, BaselineAlertRaised):
            await propose_alert(session, envelope.data)
        elif isinstance(envelope.data, BaselineAlertCleared):
            await meetings.clear_alert(session, envelope.data.alert_id)
