"""Community engagement: forum health — meetings, quorum, women's and other groups' share of
attendance, actions closed on time, concerns — by area and over time."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from libs.reference import Reference

from . import figures
from .areas import area_columns, rows_per_child
from .periods import bucket_of, periods
from .scope import Filters

WOMEN_TARGET = 1 / 3  # the common one-third rule (fora may set their own; this is the view's)


def forum_areas(level: str, area_code: str, station_id: str | None) -> dict[str, str | None]:
    """The station, district and governorate a forum sits in (None above its level), so
    engagement figures roll up and filter like crime and complaints."""
    return area_columns((station_id or area_code) if level == "station" else area_code)


def action_done_on(to_status: str, changed_at_day: date) -> date | None:
    return changed_at_day if to_status == "done" else None


@dataclass(frozen=True)
class Meeting:
    meeting_id: object
    forum_id: object
    area: str
    held_on: date
    women: int
    total: int
    quorum_met: bool
    women_only: bool
    #: False for a kind that needs no quorum (public consultation, town hall, focus group)
    quorum_applies: bool = True


@dataclass(frozen=True)
class Action:
    forum_id: object
    area: str
    status: str
    due_on: date
    done_on: date | None


def meeting_figures(meetings: list[Meeting]) -> dict[str, Any]:
    attendees = sum(m.total for m in meetings)
    women = sum(m.women for m in meetings)
    # A consultation with no members is not a failed quorum: rates count only the kinds
    # a quorum applies to.
    quorate = [m for m in meetings if m.quorum_applies]
    with_quorum = sum(1 for m in quorate if m.quorum_met)
    return {
        "meetings_held": len(meetings),
        "meetings_with_quorum": with_quorum,
        "quorum_rate": figures.share(with_quorum, len(quorate)),
        "women_only_sessions": sum(1 for m in meetings if m.women_only),
        "attendees": attendees,
        "women_attendees": women,
        "women_share": figures.share(women, attendees),
    }


def action_figures(actions: list[Action], today: date) -> dict[str, Any]:
    """Actions due in the period (dropped ones excluded): closed on time, or overdue now."""
    due = [a for a in actions if a.status != "dropped"]
    on_time = sum(1 for a in due if a.status == "done" and a.done_on and a.done_on <= a.due_on)
    overdue = sum(1 for a in due if a.status != "done" and a.due_on < today)
    return {
        "actions_due": len(due),
        "actions_closed_on_time": on_time,
        "actions_overdue": overdue,
        "on_time_share": figures.share(on_time, len(due)),
    }


def group_shares(counted: Iterable[tuple[object, str, int, int]]) -> list[dict[str, Any]]:
    """Each group's share of attendance, among the meetings that counted groups; `counted`:
    (meeting, group, attendees, the meeting's total attendance)."""
    totals: dict[object, int] = {}
    groups: Counter[str] = Counter()
    for meeting_id, group, attendees, total in counted:
        totals[meeting_id] = total
        groups[group] += attendees
    denominator = sum(totals.values())
    return [
        {"group": k, "attendees": n, "share": figures.share(n, denominator)}
        for k, n in sorted(groups.items())
    ]


def by_area(
    reference: Reference,
    filters: Filters,
    level: str,
    fora_in: Mapping[str, int],
    meetings: list[Meeting],
    actions: list[Action],
    today: date,
) -> list[dict[str, Any]]:
    """`fora_in`: how many fora count in each area at `level` (ABOVE: above it)."""
    by_meeting: dict[str, list[Meeting]] = defaultdict(list)
    by_action: dict[str, list[Action]] = defaultdict(list)
    for m in meetings:
        by_meeting[m.area].append(m)
    for a in actions:
        by_action[a.area].append(a)
    return rows_per_child(
        reference,
        filters.area,
        level,
        fora_in,
        lambda child: (
            {"fora": fora_in.get(child, 0)}
            | meeting_figures(by_meeting.get(child, []))
            | action_figures(by_action.get(child, []), today)
        ),
        above=("Fora above this level", "منتديات على مستوى أعلى"),
    )


def over_time(filters: Filters, meetings: list[Meeting]) -> list[dict[str, Any]]:
    unit, buckets = periods(filters)
    grouped: dict[str, list[Meeting]] = defaultdict(list)
    for m in meetings:
        grouped[bucket_of(m.held_on, unit)].append(m)
    out = []
    for p in buckets:
        figs = meeting_figures(grouped.get(p, []))
        out.append(
            {
                "period": p,
                "meetings_held": figs["meetings_held"],
                "women_share": figs["women_share"],
            }
        )
    return out


def summary(
    fora: int, meetings: list[Meeting], actions: list[Action], concerns: int, today: date
) -> dict[str, Any]:
    return (
        {"fora": fora}
        | meeting_figures(meetings)
        | action_figures(actions, today)
        | {"concerns_raised": concerns, "women_target": round(WOMEN_TARGET, 4)}
    )
