"""Notifications to complainants: queued with the status change, sent by the scheduler, retried.

A channel is anything with `async send(to, text)`. SMS and e-mail gateways differ per country,
so the service ships a log channel (says a message went, never to whom or what) and takes real
channels by name from its configuration. A failed send is retried with exponential backoff up
to `max_attempts`, then the notification is marked failed (and stays visible to staff).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal
from libs.chassis.personal_data import PersonalDataVault

from .domain import status_text
from .tables import complaints, notifications

log = logging.getLogger(__name__)
NOTIFIER = Principal(subject="system:notifier", roles=frozenset({"system"}))
PURPOSE = "notify the complainant of a status change"


class NotificationChannel(Protocol):
    async def send(self, to: str, text: str) -> None: ...


class LogChannel:
    """The default channel: records that a message went, with no recipient and no text."""

    def __init__(self, name: str) -> None:
        self.name = name

    async def send(self, to: str, text: str) -> None:
        log.info("notification sent", extra={"channel": self.name, "length": len(text)})


DEFAULT_CHANNELS: Mapping[str, NotificationChannel] = {
    "sms": LogChannel("sms"),
    "email": LogChannel("email"),
}


def message(reference: str, about: str, language: str) -> str:
    if language == "ar":
        return f"شكواك {reference}: {status_text(about, 'ar')}"
    return f"Your complaint {reference}: {status_text(about, 'en')}"


def _recipient(contact: Mapping[str, str | None]) -> tuple[str, str] | None:
    """(channel, address): the complainant's phone, else e-mail, else the third party's phone."""
    if contact.get("phone"):
        return "sms", contact["phone"]
    if contact.get("email"):
        return "email", contact["email"]
    if contact.get("on_behalf_contact_phone"):
        return "sms", contact["on_behalf_contact_phone"]
    return None


async def dispatch_due(
    session: AsyncSession,
    vault: PersonalDataVault,
    channels: Mapping[str, NotificationChannel],
    now: datetime,
    *,
    max_attempts: int = 5,
    backoff_seconds: float = 30.0,
    batch: int = 50,
) -> int:
    """Send the pending notifications that are due; returns how many went."""
    rows = (
        await session.execute(
            select(notifications, complaints.c.reference)
            .join(complaints, complaints.c.complaint_id == notifications.c.complaint_id)
            .where(notifications.c.state == "pending", notifications.c.next_attempt_at <= now)
            .order_by(notifications.c.id)
            .limit(batch)
            .with_for_update(of=notifications, skip_locked=True)
        )
    ).all()
    sent = 0
    for row in rows:
        values = await _attempt(session, vault, channels, row, now, max_attempts, backoff_seconds)
        sent += values.get("state") == "sent"
        await session.execute(
            update(notifications).where(notifications.c.id == row.id).values(**values)
        )
    return sent


async def _attempt(session, vault, channels, row, now, max_attempts, backoff_seconds) -> dict:
    contact = await vault.unseal(
        session,
        row.complaint_id,
        principal=NOTIFIER,
        purpose=PURPOSE,
        fields=["phone", "email", "on_behalf_contact_phone"],
    )
    recipient = _recipient(contact or {})
    if recipient is None:
        return {"state": "failed", "last_error": "no contact details (erased or none given)"}
    channel_name, address = recipient
    attempts = row.attempts + 1
    try:
        await channels[channel_name].send(address, message(row.reference, row.about, row.language))
    except Exception as exc:  # a gateway failure of any kind: retry later
        log.warning(
            "notification failed",
            extra={"notification": row.id, "channel": channel_name, "error": type(exc).__name__},
        )
        if attempts >= max_attempts:
            return {"state": "failed", "attempts": attempts, "last_error": type(exc).__name__}
        delay = timedelta(seconds=backoff_seconds * 2 ** (attempts - 1))
        return {
            "attempts": attempts,
            "channel": channel_name,
            "next_attempt_at": now + delay,
            "last_error": type(exc).__name__,
        }
    return {"state": "sent", "attempts": attempts, "channel": channel_name, "sent_at": now}
