"""The public "you said, we did" page of a forum, in Arabic or English, without personal data.
No token needed."""

from __future__ import annotations

from functools import partial
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends

from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime, runtime

from ..application import public
from ..schemas import PublicPageOut

router = APIRouter(prefix="/public", tags=["public"])


@router.get(
    "/fora/{forum_id}",
    response_model=PublicPageOut,
    summary="A forum's public page: you said, we did",
)
async def public_page(
    forum_id: UUID, lang: Literal["en", "ar"] = "en", rt: Runtime = Depends(runtime)
) -> Any:
    return await in_transaction(
        rt.sessions, partial(public.public_page, forum_id=forum_id, lang=lang)
    )
