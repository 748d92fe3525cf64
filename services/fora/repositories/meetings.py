"""Meetings, their attendance and agendas."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import agenda_item_alerts, agenda_items, meeting_attendance, meetings


async def add(session: AsyncSession, row: Mapping[str, Any]) -> None:
    await session.execute(meetings.insert().values(dict(row)))


async def meeting(
    session: AsyncSession, meeting_id: UUID, *, lock: bool = False
) -> Row[Any] | None:
    query = select(meetings).where(meetings.c.meeting_id == meeting_id)
    return (await session.execute(query.with_for_update() if lock else query)).one_or_none()


async def of_forum(session: AsyncSession, forum_id: UUID) -> Sequence[Row[Any]]:
    query = (
        select(meetings).where(meetings.c.forum_id == forum_id).order_by(meetings.c.scheduled_for)
    )
    return (await session.execute(query)).all()


async def of_fora(session: AsyncSession, forum_ids: Sequence[UUID]) -> Sequence[Row[Any]]:
    return (await session.execute(select(meetings).where(meetings.c.forum_id.in_(forum_ids)))).all()


async def change(session: AsyncSession, meeting_id: UUID, **values: Any) -> None:
    await session.execute(
        update(meetings).where(meetings.c.meeting_id == meeting_id).values(**values)
    )


async def add_attendance(session: AsyncSession, meeting_id: UUID, present: Sequence[UUID]) -> None:
    if present:
        await session.execute(
            meeting_attendance.insert(),
            [{"meeting_id": meeting_id, "member_id": m} for m in present],
        )


async def next_meeting(
    session: AsyncSession, forum_id: UUID, on: date, kinds: Sequence[str]
) -> UUID | None:
    """The forum's next meeting of one of `kinds` still to be held on or after `on`."""
    return await session.scalar(
        select(meetings.c.meeting_id)
        .where(
            meetings.c.forum_id == forum_id,
            meetings.c.kind.in_(kinds),
            meetings.c.status == "scheduled",
            meetings.c.scheduled_for >= on,
        )
        .order_by(meetings.c.scheduled_for)
        .limit(1)
    )


# --- agenda ----------------------------------------------------------------------------------


async def agenda(session: AsyncSession, meeting_id: UUID) -> Sequence[Row[Any]]:
    query = (
        select(agenda_items)
        .where(agenda_items.c.meeting_id == meeting_id)
        .order_by(agenda_items.c.created_at)
    )
    return (await session.execute(query)).all()


async def add_agenda_item(session: AsyncSession, row: Mapping[str, Any]) -> None:
    await session.execute(agenda_items.insert().values(dict(row)))


async def attach_pending_items(session: AsyncSession, forum_id: UUID, meeting_id: UUID) -> int:
    """Put the forum's items waiting for a meeting on this one; returns how many."""
    result = await session.execute(
        update(agenda_items)
        .where(agenda_items.c.forum_id == forum_id, agenda_items.c.meeting_id.is_(None))
        .values(meeting_id=meeting_id)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def propose_alert_item(
    session: AsyncSession,
    *,
    forum_id: UUID,
    meeting_id: UUID | None,
    item_id: UUID,
    alert_id: UUID,
    details: Mapping[str, Any],
    title_en: str,
    title_ar: str,
    created_at: datetime,
) -> int:
    """1 if added, 0 if the forum already has this alert on its agenda."""
    result = await session.execute(
        insert(agenda_items)
        .values(
            item_id=item_id, forum_id=forum_id, meeting_id=meeting_id, source="alert",
            status="proposed", alert_id=alert_id, details=dict(details),
            title_en=title_en, title_ar=title_ar, created_at=created_at,
        )
        .on_conflict_do_nothing(constraint="agenda_items_forum_alert")
    )  # fmt: skip
    return int(result.rowcount)  # type: ignore[attr-defined]


# --- alert episodes --------------------------------------------------------------------------


async def alert_known(session: AsyncSession, forum_id: UUID, alert_id: UUID) -> bool:
    query = select(agenda_item_alerts.c.item_id).where(
        agenda_item_alerts.c.forum_id == forum_id, agenda_item_alerts.c.alert_id == alert_id
    )
    return await session.scalar(query) is not None


async def open_episode_item(
    session: AsyncSession, forum_id: UUID, iccs_section: str
) -> UUID | None:
    """The forum's agenda item for a rise of this section in its area that is still going
    on: one of its alerts not cleared, or the item not yet discussed (pending, or on a
    meeting still scheduled). Locked, so alerts of one rise join it one at a time."""
    still_open = (
        select(agenda_item_alerts.c.item_id)
        .where(
            agenda_item_alerts.c.forum_id == forum_id,
            agenda_item_alerts.c.iccs_section == iccs_section,
        )
        .group_by(agenda_item_alerts.c.item_id)
        .having(func.bool_or(agenda_item_alerts.c.cleared.is_(False)))
    )
    links = select(agenda_item_alerts.c.item_id).where(
        agenda_item_alerts.c.forum_id == forum_id,
        agenda_item_alerts.c.iccs_section == iccs_section,
    )
    undiscussed = (
        select(agenda_items.c.item_id)
        .outerjoin(meetings, meetings.c.meeting_id == agenda_items.c.meeting_id)
        .where(
            agenda_items.c.item_id.in_(links),
            or_(agenda_items.c.meeting_id.is_(None), meetings.c.status == "scheduled"),
        )
    )
    query = (
        select(agenda_items.c.item_id)
        .where(or_(agenda_items.c.item_id.in_(still_open), agenda_items.c.item_id.in_(undiscussed)))
        .order_by(agenda_items.c.created_at.desc())
        .limit(1)
        .with_for_update()
    )
    return await session.scalar(query)


async def link_alert(session: AsyncSession, row: Mapping[str, Any]) -> None:
    await session.execute(
        insert(agenda_item_alerts).values(dict(row)).on_conflict_do_nothing()
    )


async def add_alert_to_item(session: AsyncSession, item_id: UUID, alert: Mapping[str, Any]) -> None:
    """Record another alert of the item's rise in its details (under "alerts")."""
    details = await session.scalar(
        select(agenda_items.c.details).where(agenda_items.c.item_id == item_id)
    )
    details = dict(details or {})
    details["alerts"] = [*details.get("alerts", []), dict(alert)]
    await session.execute(
        update(agenda_items).where(agenda_items.c.item_id == item_id).values(details=details)
    )


async def clear_alert(session: AsyncSession, alert_id: UUID) -> None:
    await session.execute(
        update(agenda_item_alerts)
        .where(agenda_item_alerts.c.alert_id == alert_id)
        .values(cleared=True)
    )
