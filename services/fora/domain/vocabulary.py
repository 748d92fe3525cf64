"""The codes fora work with, and their English and Arabic labels for public pages.

Codes are the contract's Literals (libs.contracts.fora), so what the API accepts is what the
events can carry.
"""

from __future__ import annotations

from typing import Literal, get_args

from libs.contracts.fora import AgeBand, ForumLevel, ForumType, Gender, Group, MemberRole
from libs.reference.concerns import ICCS_CONCERN_PREFIX

Lang = Literal["en", "ar"]

FORUM_TYPES: tuple[str, ...] = get_args(ForumType)
FORUM_LEVELS: tuple[str, ...] = get_args(ForumLevel)
MEMBER_ROLES: tuple[str, ...] = get_args(MemberRole)
GROUPS: tuple[str, ...] = get_args(Group)
GENDERS: tuple[str, ...] = get_args(Gender)
AGE_BANDS: tuple[str, ...] = get_args(AgeBand)


ACTION_STATUS_LABELS: dict[str, tuple[str, str]] = {
    "open": ("Open", "مفتوح"),
    "in_progress": ("In progress", "قيد التنفيذ"),
    "done": ("Done", "منجز"),
    "blocked": ("Blocked", "متعثر"),
    "dropped": ("Dropped", "ملغى"),
}

FORUM_TYPE_LABELS: dict[str, tuple[str, str]] = {
    "community_police_forum": ("Community policing forum", "منتدى الشرطة المجتمعية"),
    "local_security_council": ("Local security council", "مجلس الأمن المحلي"),
    "women_safety_forum": ("Women's forum", "منتدى المرأة"),
    "youth_forum": ("Youth forum", "منتدى الشباب"),
    "school_safety_forum": ("School council", "مجلس المدرسة"),
    "business_forum": ("Business forum", "منتدى قطاع الأعمال"),
    "neighbourhood_watch": ("Neighbourhood watch", "لجنة الحي"),
    "coordination_council": ("Coordination council", "مجلس التنسيق"),
}


def label(table: dict[str, tuple[str, str]], code: str, lang: Lang) -> str:
    en, ar = table.get(code, (code, code))
    return en if lang == "en" else ar


def is_iccs_category(category: str) -> bool:
    """ICCS sections and divisions are digit codes ("05", "0501"); community codes are words."""
    return category.isdigit()


def event_category(category: str) -> str:
    """The concern category as an event code: "0501" becomes "iccs_0501" (codes start with a
    letter, so a category can never be mistaken for free text)."""
    return f"{ICCS_CONCERN_PREFIX}{category}" if is_iccs_category(category) else category
