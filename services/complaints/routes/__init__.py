"""The complaints HTTP API, one module per audience: `public` (filing, the complainant's view),
`cases` (staff casework), `oversight` (bodies, feed, recommendations), `ledger` (key,
checkpoints, proofs), `audit` (the personal-data read audit). Routes parse, call the
application layer and serialise through `schemas`."""

from __future__ import annotations

from fastapi import APIRouter

from ..config import ComplaintsConfig
from . import audit, cases, ledger, oversight, public, staff


def routers(config: ComplaintsConfig) -> tuple[APIRouter, ...]:
    return (
        public.build(config),
        cases.build(config),
        oversight.build(config),
        ledger.build(),
        audit.build(),
        staff.build(config),
    )
