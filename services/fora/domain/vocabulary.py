"""The codes fora work with, and their English and Arabic labels for public pages.

Programme vocabularies — member groups, activity kinds, audiences, meeting kinds, forum
origins, community concern categories — are reference data (`libs/reference`, swapped per
country with JISR_REFERENCE_DIR): a request's code is checked against the loaded vocabulary
and stored as a short string, so adding a value needs neither a migration nor a new event
version. Forum types, levels, roles and action statuses are the service's own rules and stay
in code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from libs.chassis.errors import RuleViolation
from libs.contracts.fora import AgeBand, ForumLevel, ForumType, Gender, MemberRole
from libs.reference.concerns import ICCS_CONCERN_PREFIX
from libs.reference.model import Reference, Vocabulary

Lang = Literal["en", "ar"]
Field = str | tuple[str | int, ...]

FORUM_TYPES: tuple[str, ...] = get_args(ForumType)
FORUM_LEVELS: tuple[str, ...] = get_args(ForumLevel)
MEMBER_ROLES: tuple[str, ...] = get_args(MemberRole)
GENDERS: tuple[str, ...] = get_args(Gender)
AGE_BANDS: tuple[str, ...] = get_args(AgeBand)

MEMBER_GROUPS = "member_groups"
ACTIVITY_KINDS = "activity_kinds"
AUDIENCES = "audiences"
MEETING_KINDS = "meeting_kinds"
FORUM_ORIGINS = "forum_origins"
CONCERN_CATEGORIES = "concern_categories"

#: What a report counts a record under when it has no code (a walk-in of no stated group...).
UNKNOWN = "unknown"


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


def check_code(vocabulary: Vocabulary, code: str, field: Field) -> None:
    """A 422 naming `field` unless `code` is in the vocabulary (the message lists the codes,
    never the value sent)."""
    if code not in vocabulary:
        allowed = ", ".join(vocabulary.codes)
        raise RuleViolation(field, f"not a {vocabulary.name} code; one of {allowed}")


def is_iccs_category(category: str) -> bool:
    """ICCS sections and divisions are digit codes ("05", "0501"); community codes are words."""
    return category.isdigit()


def event_category(category: str) -> str:
    """The concern category as an event code: "0501" becomes "iccs_0501" (codes start with a
    letter, so a category can never be mistaken for free text)."""
    return f"{ICCS_CONCERN_PREFIX}{category}" if is_iccs_category(category) else category


QuorumMode = Literal["members", "women_members", "none"]


@dataclass(frozen=True)
class MeetingKind:
    """What a meeting kind means for the rules: whose presence makes quorum (none: a public
    consultation or town hall is not a failed quorum when no member comes), and whether it is
    one of the forum's decision meetings (counted in its health, receiving pending items)."""

    code: str
    quorum: QuorumMode
    decision: bool

    @property
    def women_only(self) -> bool:
        return self.quorum == "women_members"


def meeting_kind(reference: Reference, code: str) -> MeetingKind:
    vocabulary = reference.vocabulary(MEETING_KINDS)
    quorum = vocabulary.attribute(code, "quorum", "none")
    if quorum not in get_args(QuorumMode):
        raise ValueError(f"meeting_kinds.csv: {code}: quorum must be one of {get_args(QuorumMode)}")
    decision = vocabulary.attribute(code, "decision", "no").lower() in {"yes", "true", "1"}
    return MeetingKind(code, quorum, decision)  # type: ignore[arg-type]
