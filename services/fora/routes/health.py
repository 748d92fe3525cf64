"""Forum health, per forum and rolled up over an area or a coordination council."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy import select

from libs.chassis.auth import Principal
from libs.chassis.service import Runtime, runtime
from libs.reference import load_reference

from ..access import load_forum, readers, scoped
from ..domain.areas import UnknownArea, contains, level_of
from ..domain.health import DEFAULT_WOMEN_TARGET, quarter_of, roll_up
from ..health_store import health_of
from ..tables import fora

router = APIRouter(prefix="/v1", tags=["forum health"])


def _period(start: date | None, end: date | None, as_of: date | None) -> tuple[date, date, date]:
    today = datetime.now(UTC).date()
    if (start is None) != (end is None):
        raise HTTPException(422, "give both period_start and period_end, or neither")
    if start is None:
        start, end = quarter_of(as_of or today)
    if end < start:
        raise HTTPException(422, "period_end must not be before period_start")
    return start, end, min(as_of or today, today)


@router.get("/fora/{forum_id}/health", summary="A forum's health (default: this quarter)")
async def forum_health(
    forum_id: UUID,
    period_start: date | None = None,
    period_end: date | None = None,
    as_of: date | None = None,
    principal: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> dict:
    start, end, as_of = _period(period_start, period_end, as_of)
    async with rt.sessions() as session:
        forum = await load_forum(session, forum_id, principal)
        ids = [forum_id]
        if forum.forum_type == "coordination_council":
            ids += list(
                (await session.scalars(select(fora.c.forum_id).where(
                    fora.c.parent_forum_id == forum_id))).all()
            )  # fmt: skip
        figures = await health_of(session, ids, start, end, as_of)
    own = figures[forum_id]
    out = {"forum_id": forum_id, "as_of": as_of, **own.as_dict()}
    if len(ids) > 1:
        out["rolled_up"] = roll_up(list(figures.values()), start, end, forum.women_target).as_dict()
    return out


@router.get("/health", summary="Health of every forum in an area, and the area's roll-up")
async def area_health(
    area_id: str = Query(..., max_length=32),
    period_start: date | None = None,
    period_end: date | None = None,
    as_of: date | None = None,
    women_target: float = Query(DEFAULT_WOMEN_TARGET, ge=0, le=1),
    principal: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> dict:
    start, end, as_of = _period(period_start, period_end, as_of)
    reference = load_reference()
    try:
        level_of(reference, area_id)
    except UnknownArea as exc:
        raise HTTPException(422, exc.args[0]) from exc
    async with rt.sessions() as session:
        rows = (await session.execute(scoped(select(fora), principal))).all()
        rows = [r for r in rows if contains(reference, area_id, r.area_id)]
        figures = await health_of(session, [r.forum_id for r in rows], start, end, as_of)
    return {
        "area_id": area_id,
        "as_of": as_of,
        "fora": [
            {"forum_id": r.forum_id, "name_en": r.name_en, **figures[r.forum_id].as_dict()}
            for r in rows
        ],
        "rolled_up": roll_up(list(figures.values()), start, end, women_target).as_dict(),
    }
