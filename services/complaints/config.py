"""What a deployment (or a test) tunes in the complaints service."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from libs.chassis.rate_limit import Backoff, RateLimit

from .channels import DEFAULT_CHANNELS, NotificationChannel
from .domain.clocks import DEFAULT_PACK, RulePack

RULE_PACK_ENV = "JISR_COMPLAINTS_RULE_PACK"


def load_pack(path: str | None) -> RulePack:
    """The jurisdiction's rule pack from a JSON file, or the default (Jordan) one."""
    return RulePack.from_json(Path(path).read_text()) if path else DEFAULT_PACK


@dataclass(frozen=True)
class ComplaintsConfig:
    pack: RulePack = field(default_factory=lambda: load_pack(os.environ.get(RULE_PACK_ENV)))
    tick_seconds: float = 30.0  # how often clocks, notifications and checkpoints are looked at
    checkpoint_seconds: float = 300.0  # a signed checkpoint at most this often (if chains moved)
    #: The public (no token), per real client address (JISR_TRUSTED_PROXIES says whose
    #: X-Forwarded-For to believe).
    intake_limit: RateLimit = RateLimit(
        "intake", 20, 3600, "too many complaints filed from this address this hour"
    )
    #: Staff channels (station counter, hotline, NGO desks with a token), per account: a busy
    #: counter files far more than a citizen; this only stops a runaway script.
    staff_intake_limit: RateLimit = RateLimit(
        "intake-staff", 1000, 3600, "too many complaints filed with this account this hour"
    )
    #: Wrong PINs: 3 free, then 1 s, 2 s, 4 s ... at most 15 minutes, per reference + address.
    pin_limit: Backoff = Backoff(
        "pin", free=3, base_seconds=1, max_seconds=900, message="wrong PIN; wait before trying"
    )
    channels: Mapping[str, NotificationChannel] = field(default_factory=lambda: DEFAULT_CHANNELS)
    notify_max_attempts: int = 5
    notify_backoff_seconds: float = 30.0
