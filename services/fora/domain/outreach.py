"""Outreach and training activities: the figures programme reports are made of."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from libs.chassis.errors import RuleViolation

ActivityKind = Literal["safety_campaign", "awareness_session", "training"]
Audience = Literal["community_members", "youth", "council_members", "police_trainers"]


def check_waves(before_wave_id: Any | None, after_wave_id: Any | None) -> None:
    """A perception change needs the same survey before and after."""
    if bool(before_wave_id) != bool(after_wave_id):
        raise RuleViolation("after_wave_id", "give both before and after waves, or neither")


def report(activities: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Totals across activities: by kind, by gender and group of participants, beneficiaries."""
    by_kind: Counter[str] = Counter()
    by_gender: Counter[str] = Counter()
    by_group: Counter[str] = Counter()
    direct = indirect = participants = 0
    activities = list(activities)
    for activity in activities:
        by_kind[activity["kind"]] += 1
        for row in activity["participants"]:
            participants += row["count"]
            by_gender[row.get("gender") or "unknown"] += row["count"]
            by_group[row.get("group") or "other"] += row["count"]
        direct += activity["direct_beneficiaries"]
        indirect += activity["indirect_beneficiaries"]
    return {
        "activities": len(activities),
        "by_kind": dict(sorted(by_kind.items())),
        "participants": participants,
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
