"""The public "you said, we did" page of a forum, in Arabic or English, without personal data.

It shows what residents raised (the category and the forum's public summary — never who raised
it), what was done and when, and the forum's perception survey results with small cells
suppressed. No token needed.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import select

from libs.chassis.service import Runtime, runtime
from libs.reference import load_reference
from libs.reference.concerns import COMMUNITY_CONCERNS

from ..domain.vocabulary import (
    ACTION_STATUS_LABELS,
    FORUM_TYPE_LABELS,
    is_iccs_category,
    label,
)
from ..tables import actions, concerns, fora, survey_waves
from .surveys import wave_results

router = APIRouter(prefix="/public", tags=["public"])


def category_label(category: str, lang: Literal["en", "ar"]) -> str:
    if is_iccs_category(category):
        return load_reference().iccs_title(category, lang)
    return label(COMMUNITY_CONCERNS, category, lang)


def _said_and_done(concern_rows, action_rows, lang: Literal["en", "ar"]) -> list[dict]:
    page = []
    for c in concern_rows:
        summary = c.summary_en if lang == "en" else c.summary_ar
        page.append(
            {
                "category": category_label(c.category, lang),
                "you_said": summary or category_label(c.category, lang),
                "raised_on": c.raised_on,
                "we_did": [
                    {
                        "action": a.title_en if lang == "en" else a.title_ar,
                        "status": label(ACTION_STATUS_LABELS, a.status, lang),
                        "due_on": a.due_on,
                        "done_on": a.closed_on,
                    }
                    for a in action_rows
                    if a.concern_id == c.concern_id
                ],
            }
        )
    return page


@router.get("/fora/{forum_id}", summary="A forum's public page: you said, we did")
async def public_page(
    forum_id: UUID, lang: Literal["en", "ar"] = "en", rt: Runtime = Depends(runtime)
) -> dict:
    async with rt.sessions() as session:
        forum = (
            await session.execute(select(fora).where(fora.c.forum_id == forum_id))
        ).one_or_none()
        if forum is None:
            raise HTTPException(404, f"no forum {forum_id}")
        concern_rows = (
            await session.execute(
                select(concerns).where(concerns.c.forum_id == forum_id)
                .order_by(concerns.c.raised_on)
            )
        ).all()  # fmt: skip
        action_rows = (
            await session.execute(
                select(actions).where(actions.c.forum_id == forum_id).order_by(actions.c.due_on)
            )
        ).all()
        wave_ids = (
            await session.scalars(
                select(survey_waves.c.wave_id).where(survey_waves.c.forum_id == forum_id)
            )
        ).all()
        surveys = [
            {
                **(await wave_results(session, wave_id, [], lang)),
                "by_gender": (await wave_results(session, wave_id, ["gender"], lang))["cells"],
                "by_age_band": (await wave_results(session, wave_id, ["age_band"], lang))["cells"],
            }
            for wave_id in wave_ids
        ]
    return {
        "forum": forum.name_en if lang == "en" else forum.name_ar,
        "type": label(FORUM_TYPE_LABELS, forum.forum_type, lang),
        "area_id": forum.area_id,
        "lang": lang,
        "you_said_we_did": _said_and_done(concern_rows, action_rows, lang),
        "surveys": surveys,
    }
