"""Every consumer's projection also stamps what it applied (the latest event time and how many
events, per topic), in the same transaction: the figures and their "as of" cannot disagree.
Applied to CONSUMERS as a whole (consumers.py), so a consumer added later is stamped too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.consumer import ConsumerSpec
from libs.contracts.envelope import Envelope

from . import repository


def stamped(spec: ConsumerSpec) -> ConsumerSpec:
    """The spec with a projection that records its events' freshness after applying them.
    A consumer of several topics is stamped under their names joined (analytics has none)."""
    topic = ",".join(spec.topics)
    project = spec.apply

    async def apply(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        await project(session, envelopes)
        if envelopes:
            latest = max(env.time for env in envelopes)
            await repository.record_applied(session, topic, latest, len(envelopes))

    apply.__doc__ = project.__doc__
    return replace(spec, apply=apply)
