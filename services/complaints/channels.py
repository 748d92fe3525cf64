"""Notification channels: anything with `async send(to, text)`.

SMS and e-mail gateways differ per country, so the service ships a log channel (says a message
went, never to whom or what) and takes real channels by name from its configuration
(`ComplaintsConfig.channels`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

log = logging.getLogger(__name__)


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
