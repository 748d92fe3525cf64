"""Sending the queued notifications to complainants, with retries.

A failed send is retried with exponential backoff up to `max_attempts`, then the notification
is marked failed (and stays visible to staff).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal
from libs.chassis.personal_data import PersonalDataVault

from ..channels import NotificationChannel
from ..domain.texts import notification_text
from ..repositories import notifications

log = logging.getLogger(__name__)
NOTIFIER = Principal(subject="system:notifier", roles=frozenset({"system"}))
PURPOSE = "notify the complainant of a status change"


def _recipient(contact: Mapping[str, str | None]) -> tuple[str, str] | None:
    """(channel, address): the complainant's phone, else e-mail, else the third party's phone."""
    for channel, field in (
        ("sms", "phone"),
        ("email", "email"),
        ("sms", "on_behalf_contact_phone"),
    ):
        address = contact.get(field)
        if address:
            return channel, address
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
    sent = 0
    for row in await notifications.due(session, now, batch):
        values = await _attempt(session, vault, channels, row, now, max_attempts, backoff_seconds)
        sent += values.get("state") == "sent"
        await notifications.update_one(session, row.id, values)
    return sent


async def _attempt(
    session: AsyncSession,
    vault: PersonalDataVault,
    channels: Mapping[str, NotificationChannel],
    row: Row[Any],
    now: datetime,
    max_attempts: int,
    backoff_seconds: float,
) -> dict[str, Any]:
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
        details = json.loads(row.details) if row.details else None
        text = notification_text(row.reference, row.about, row.language, details)
        await channels[channel_name].send(address, text)
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
