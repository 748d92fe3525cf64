"""The community-engagement view: forum health — meetings, quorum, women's and other groups'
share of attendance, actions closed on time, concerns — by area, and survey perceptions by
gender and area (survey_view.py), from fora events."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from libs.reference import Reference, load_reference

from . import figures
from .crime_view import area_row, bucket_of, periods
from .scope import ABOVE, Filters, area_clause, child_level, rolls_into
from .survey_view import survey_figures
from .tables import action_facts, concern_facts, forum_facts, meeting_facts, meeting_groups

WOMEN_TARGET = 1 / 3  # the common one-third rule (fora may set their own; this is the view's)


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


@dataclass(frozen=True)
class Action:
    forum_id: object
    area: str
    status: str
    due_on: date
    done_on: date | None


def meeting_figures(meetings: list[Meeting]) -> dict:
    attendees = sum(m.total for m in meetings)
    women = sum(m.women for m in meetings)
    return {
        "meetings_held": len(meetings),
        "meetings_with_quorum": sum(1 for m in meetings if m.quorum_met),
        "quorum_rate": figures.share(sum(1 for m in meetings if m.quorum_met), len(meetings)),
        "women_only_sessions": sum(1 for m in meetings if m.women_only),
        "attendees": attendees,
        "women_attendees": women,
        "women_share": figures.share(women, attendees),
    }


def action_figures(actions: list[Action], today: date) -> dict:
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


async def _fora(session: AsyncSession, reference: Reference, filters: Filters):
    f = forum_facts.c
    query = select(forum_facts).where(area_clause(forum_facts, filters.area))
    if filters.category:
        query = query.where(f.forum_type == filters.category)
    level = child_level(reference, filters.area)
    rows = (await session.execute(query)).all()
    return {r.forum_id: (r, rolls_into(level, r)) for r in rows}, level


async def _meetings(session: AsyncSession, fora: dict, filters: Filters) -> list[Meeting]:
    m = meeting_facts.c
    query = select(meeting_facts).where(
        m.forum_id.in_(list(fora)), m.held_on >= filters.start, m.held_on <= filters.end
    )
    return [
        Meeting(
            r.meeting_id,
            r.forum_id,
            fora[r.forum_id][1],
            r.held_on,
            r.women,
            r.total,
            r.quorum_met,
            r.women_only,
        )
        for r in (await session.execute(query)).all()
    ]


async def _actions(session: AsyncSession, fora: dict, filters: Filters) -> list[Action]:
    a = action_facts.c
    query = select(action_facts).where(
        a.forum_id.in_(list(fora)), a.due_on >= filters.start, a.due_on <= filters.end
    )
    return [
        Action(r.forum_id, fora[r.forum_id][1], r.status, r.due_on, r.done_on)
        for r in (await session.execute(query)).all()
    ]


async def _group_shares(session: AsyncSession, meetings: list[Meeting]) -> list[dict]:
    """Each group's share of attendance, among the meetings that counted groups."""
    if not meetings:
        return []
    g, m = meeting_groups.c, meeting_facts.c
    query = (
        select(g.meeting_id, g.group_code, g.attendees, m.total)
        .select_from(meeting_groups.join(meeting_facts, g.meeting_id == m.meeting_id))
        .where(g.meeting_id.in_([x.meeting_id for x in meetings]))
    )
    counted: dict = {}
    groups: Counter[str] = Counter()
    for meeting_id, group, attendees, total in (await session.execute(query)).all():
        counted[meeting_id] = total
        groups[group] += attendees
    denominator = sum(counted.values())
    return [
        {"group": k, "attendees": n, "share": figures.share(n, denominator)}
        for k, n in sorted(groups.items())
    ]


async def _concerns(session: AsyncSession, fora: dict, filters: Filters) -> Counter[str]:
    c = concern_facts.c
    query = select(c.category).where(
        c.forum_id.in_(list(fora)),
        c.raised_at >= filters.start_at,
        c.raised_at < filters.end_before,
    )
    return Counter(r for (r,) in (await session.execute(query)).all())


def _children(reference: Reference, filters: Filters, level: str, keys: set[str]) -> list[str]:
    if reference.area_level(filters.area) == "station":
        children = [filters.area]
    elif level == "governorate":
        children = sorted(reference.governorates)
    elif level == "district":
        children = sorted(
            d.code for d in reference.districts.values() if d.governorate_code == filters.area
        )
    else:
        children = reference.stations_in(filters.area)
    return [*children, ABOVE] if ABOVE in keys else children


def _by_area(reference, filters, level, fora, meetings, actions, today) -> list[dict]:
    fora_in: Counter[str] = Counter(key for _, key in fora.values())
    by_meeting: dict[str, list[Meeting]] = defaultdict(list)
    by_action: dict[str, list[Action]] = defaultdict(list)
    for m in meetings:
        by_meeting[m.area].append(m)
    for a in actions:
        by_action[a.area].append(a)
    rows = []
    for child in _children(reference, filters, level, set(fora_in)):
        label = (
            {
                "area": ABOVE,
                "level": level,
                "name_en": "Fora above this level",
                "name_ar": "منتديات على مستوى أعلى",
            }
            if child == ABOVE
            else area_row(reference, level, child)
        )
        rows.append(
            label
            | {"fora": fora_in.get(child, 0)}
            | meeting_figures(by_meeting.get(child, []))
            | action_figures(by_action.get(child, []), today)
        )
    return rows


def _over_time(filters: Filters, meetings: list[Meeting]) -> list[dict]:
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


async def engagement_view(session: AsyncSession, filters: Filters, today: date) -> dict:
    reference = load_reference()
    fora, level = await _fora(session, reference, filters)
    meetings = await _meetings(session, fora, filters) if fora else []
    actions = await _actions(session, fora, filters) if fora else []
    concerns = await _concerns(session, fora, filters) if fora else Counter()
    summary = (
        {"fora": len(fora)}
        | meeting_figures(meetings)
        | action_figures(actions, today)
        | {"concerns_raised": sum(concerns.values()), "women_target": round(WOMEN_TARGET, 4)}
    )
    types = Counter(row.forum_type for row, _ in fora.values())
    surveys = await survey_figures(session, reference, filters)
    return {
        "view": "engagement",
        "filters": filters.as_dict(),
        "summary": summary | surveys["summary"],
        "notes": surveys["notes"],
        "tables": {
            "by_area": _by_area(reference, filters, level, fora, meetings, actions, today),
            "by_forum_type": [{"forum_type": k, "fora": n} for k, n in sorted(types.items())],
            "group_shares": await _group_shares(session, meetings),
            "concerns": [{"category": k, "concerns": n} for k, n in sorted(concerns.items())],
            "over_time": _over_time(filters, meetings),
            **surveys["tables"],
        },
    }
