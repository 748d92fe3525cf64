"""The background job that evaluates alerts again when a closed week's counts change."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime
from libs.reference import load_reference

from .application.alerts import recheck_changed_weeks
from .config import baseline_pack

log = logging.getLogger(__name__)


async def alert_rechecks(rt: Runtime) -> None:
    """Every recheck_seconds (the rule pack's), evaluate the queued changed closed weeks."""
    while True:
        try:
            changed = await in_transaction(
                rt.sessions,
                lambda session: recheck_changed_weeks(
                    session, load_reference(), datetime.now(UTC)
                ),
            )
            if changed:
                log.info("alerts re-evaluated after late changes", extra={"count": len(changed)})
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # database away or a concurrent raise: the rows wait
            log.warning("alert recheck failed", extra={"error": type(exc).__name__})
        await asyncio.sleep(baseline_pack().recheck_seconds)
