"""Outreach and training activities: the figures programme reports are made of."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from libs.chassis.errors import RuleViolation
from libs.contracts.fora import ActivityParticipants, ActivityRecorded, GroupCount

#: The origin an activity is reported under when no forum ran it (an area's own activity).
NO_FORUM = "no_forum"
#: ... and when its forum's origin was not recorded.
UNKNOWN_ORIGIN = "unknown"


def check_waves(before_wave_id: Any | None, after_wave_id: Any | None) -> None:
    """A perception change needs the same survey before and after."""
    if bool(before_wave_id) != bool(after_wave_id):
        raise RuleViolation("after_wave_id", "give both before and after waves, or neither")


def report(activities: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Totals across activities: how many and how many people by kind, by audience and by the
    origin of the forum that ran them (`origin` of each activity: a forum_origins code,
    `no_forum` or `unknown`); participants by gender and group; beneficiaries."""
    by_kind: Counter[str] = Counter()
    by_audience: Counter[str] = Counter()
    by_origin: Counter[str] = Counter()
    people: dict[str, Counter[str]] = {k: Counter() for k in ("kind", "audience", "origin")}
    by_gender: Counter[str] = Counter()
    by_group: Counter[str] = Counter()
    direct = indirect = participants = 0
    activities = list(activities)
    for activity in activities:
        origin = activity.get("origin") or UNKNOWN_ORIGIN
        by_kind[activity["kind"]] += 1
        by_audience[activity["audience"]] += 1
        by_origin[origin] += 1
        count = 0
        for row in activity["participants"]:
            count += row["count"]
            by_gender[row.get("gender") or "unknown"] += row["count"]
            by_group[row.get("group") or "other"] += row["count"]
        participants += count
        people["kind"][activity["kind"]] += count
        people["audience"][activity["audience"]] += count
        people["origin"][origin] += count
        direct += activity["direct_beneficiaries"]
        indirect += activity["indirect_beneficiaries"]
    return {
        "activities": len(activities),
        "by_kind": dict(sorted(by_kind.items())),
        "by_audience": dict(sorted(by_audience.items())),
        "by_origin": dict(sorted(by_origin.items())),
        "participants": participants,
        "participants_by_kind": dict(sorted(people["kind"].items())),
        "participants_by_audience": dict(sorted(people["audience"].items())),
        "participants_by_origin": dict(sorted(people["origin"].items())),
        "participants_by_gender": dict(sorted(by_gender.items())),
        "participants_by_group": dict(sorted(by_group.items())),
        "direct_beneficiaries": direct,
        "indirect_beneficiaries": indirect,
    }


def perception_change(
    before: Mapping[str, Any], after: Mapping[str, Any], items: Sequence[str]
) -> list[dict[str, Any]]:
    """Per item, the positive share before and after (survey results as surveys.results gives
    them); None where either side is suppressed."""

    def shares(result: Mapping[str, Any]) -> dict[str, float | None]:
        overall = result["overall"]
        if overall["suppressed"]:
            return {}
        return {
            i["item"]: None if i["suppressed"] else i["positive_share"] for i in overall["items"]
        }

    b, a = shares(before), shares(after)

    def change(code: str) -> float | None:
        was, now = b.get(code), a.get(code)
        return None if was is None or now is None else round(now - was, 4)

    return [
        {"item": code, "before": b.get(code), "after": a.get(code), "change": change(code)}
        for code in items
    ]


def activity_recorded(row: Mapping[str, Any]) -> ActivityRecorded:
    """The event of a recorded activity: kind, audience, participants by gender and group,
    beneficiaries. Counts and codes only (no titles: they are free text)."""
    by_gender: Counter[str] = Counter()
    by_group: Counter[str] = Counter()
    for part in row["participants"]:
        by_gender[part.get("gender") or "unknown"] += part["count"]
        if part.get("group"):
            by_group[part["group"]] += part["count"]
    return ActivityRecorded(
        activity_id=row["activity_id"], forum_id=row.get("forum_id"), area_id=row["area_id"],
        kind=row["kind"], audience=row["audience"], held_on=row["held_on"],
        participants=sum(by_gender.values()),
        participants_by_gender=[
            ActivityParticipants(gender=g, count=n) for g, n in sorted(by_gender.items())
        ],
        participants_by_group=[GroupCount(group=g, count=n) for g, n in sorted(by_group.items())],
        direct_beneficiaries=row["direct_beneficiaries"],
        indirect_beneficiaries=row["indirect_beneficiaries"],
    )  # fmt: skip
