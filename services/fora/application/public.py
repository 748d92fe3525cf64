"""The public "you said, we did" page of a forum, in Arabic or English, without personal data.

It shows what residents raised (the category and the forum's public summary — never who raised
it), what was done and when, and the forum's perception survey results with small cells
suppressed — only of waves whose results were published: a wave never published does not
appear.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.errors import RuleViolation
from libs.reference import load_reference

from ..domain.vocabulary import (
    ACTION_STATUS_LABELS,
    CONCERN_CATEGORIES,
    FORUM_TYPE_LABELS,
    is_iccs_category,
    label,
)
from ..repositories import follow_up, registry
from ..repositories.public import published_waves_of
from .surveys import wave_results

Lang = Literal["en", "ar"]


def category_label(category: str, lang: Lang) -> str:
    if is_iccs_category(category):
        return load_reference().iccs_title(category, lang)
    return load_reference().vocabulary(CONCERN_CATEGORIES).label(category, lang)


def _said_and_done(
    concern_rows: Sequence[Row[Any]], action_rows: Sequence[Row[Any]], lang: Lang
) -> list[dict[str, Any]]:
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


async def public_page(session: AsyncSession, forum_id: UUID, lang: Lang) -> dict[str, Any]:
    forum = await registry.forum(session, forum_id)
    if forum is None:
        raise RuleViolation.not_found(f"no forum {forum_id}")
    concern_rows = await follow_up.concerns_of(session, forum_id)
    action_rows = await follow_up.actions_of(session, forum_id)
    waves = [
        {
            **(await wave_results(session, wave_id, [], lang)),
            "by_gender": (await wave_results(session, wave_id, ["gender"], lang))["cells"],
            "by_age_band": (await wave_results(session, wave_id, ["age_band"], lang))["cells"],
        }
        for wave_id in await published_waves_of(session, forum_id)
    ]
    return {
        "forum": forum.name_en if lang == "en" else forum.name_ar,
        "type": label(FORUM_TYPE_LABELS, forum.forum_type, lang),
        "area_id": forum.area_id,
        "lang": lang,
        "you_said_we_did": _said_and_done(concern_rows, action_rows, lang),
        "surveys": waves,
    }
