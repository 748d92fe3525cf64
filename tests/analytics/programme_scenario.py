"""Programme work added to the analytics scenario (tests/analytics/scenario.py): outreach and
trainings (some recorded again, corrected), membership counts (one older count arriving last),
a safety plan's indicators valued month by month (one value recomputed, one stale restatement
arriving late) and SARA cases taken to assessment (one assessed twice). A separate seeded
generator, so the rest of the scenario is unchanged."""

from __future__ import annotations

import random

from uuid6 import uuid7

from libs.contracts.fora import (
    ActivityParticipants,
    ActivityRecorded,
    ForumMembershipCounted,
    FrozenBaseline,
    GroupCount,
    MembershipCount,
    PlanIndicatorValued,
    SaraCaseAssessed,
    SaraCaseOpened,
    SaraStageChanged,
)

#: The origin each of the scenario's fora was registered with (one left unrecorded).
ORIGINS = {"AM-01-S1": "programme_ngo", "IR-01-S1": "police", "AM-02": "law", "MA": "police"}
KINDS = ("training", "training", "awareness_session", "safety_campaign", "school_visit", "workshop")
AUDIENCES = ("youth", "women", "police_officers", "students", "community_members")
GROUPS = ("youth", "womens_organisation", "business", "police", "tribal")
AREAS = ("AM-01-S1", "AM-02-S1", "IR-02-S1", "KA-01-S1")  # activities run by no forum


def _participants(rng: random.Random) -> list[ActivityParticipants]:
    rows = [
        ActivityParticipants(gender="female", count=rng.randint(0, 30)),
        ActivityParticipants(gender="male", count=rng.randint(0, 30)),
    ]
    if rng.random() < 0.3:
        rows.append(ActivityParticipants(gender="unknown", count=rng.randint(1, 5)))
    return rows


def _activity(s, rng: random.Random, activity_id, forum_area: str | None, area: str):
    people = _participants(rng)
    total = sum(p.count for p in people)
    return ActivityRecorded(
        activity_id=activity_id,
        forum_id=s.forum_in[forum_area] if forum_area else None,
        area_id=area,
        kind=rng.choice(KINDS),
        audience=rng.choice(AUDIENCES),
        held_on=s.at(rng.uniform(1, 170)).date(),  # some before a 150-day period
        participants=total,
        participants_by_gender=people,
        participants_by_group=[GroupCount(group=rng.choice(GROUPS), count=total)],
        direct_beneficiaries=total,
        indirect_beneficiaries=total * rng.randint(0, 6),
    )


def activities(s, rng: random.Random) -> None:
    fora = sorted(s.forum_in)
    recorded = []
    for _ in range(36):
        forum_area = rng.choice([*fora, None])
        area = forum_area if forum_area else rng.choice(AREAS)
        event = _activity(s, rng, uuid7(), forum_area, area)
        recorded.append((event, forum_area, area))
        s.add(event, event.forum_id or area)
    for event, forum_area, area in recorded[:4]:  # corrected: the later record wins
        again = _activity(s, rng, event.activity_id, forum_area, area)
        s.add(again, again.forum_id or area)


def _count(s, rng: random.Random, forum_id, days_ago: float) -> ForumMembershipCounted:
    cells = [
        MembershipCount(group=g, gender=gender, members=rng.randint(0, 6))
        for g in rng.sample(GROUPS, 3)
        for gender in ("female", "male")
    ]
    if rng.random() < 0.5:
        cells.append(MembershipCount(group="youth", gender="unknown", members=rng.randint(1, 2)))
    return ForumMembershipCounted(
        forum_id=forum_id,
        members=sum(c.members for c in cells),
        by_group_and_gender=cells,
        counted_at=s.at(days_ago),
    )


def membership(s, rng: random.Random) -> None:
    for forum_id in sorted(s.forum_in.values(), key=str):
        for days_ago in (130, 70, 12):
            s.add(_count(s, rng, forum_id, days_ago), forum_id)
    stale = s.forum_in["AM-01-S1"]  # an older count arriving last changes nothing
    s.add(_count(s, rng, stale, 40), stale)


def _month(day) -> str:
    return day.strftime("%Y-%m")


def plans(s, rng: random.Random) -> None:
    plan, forum = uuid7(), s.forum_in["AM-02"]
    theft, safe, lights = uuid7(), uuid7(), uuid7()
    months = sorted({_month(s.at(days).date()) for days in (150, 120, 90, 60, 30, 1)})

    def valued(indicator, source, month, recorded_days_ago, **figures):
        s.add(
            PlanIndicatorValued(
                plan_id=plan,
                forum_id=forum,
                area_id="AM-02",
                indicator_id=indicator,
                source=source,
                origin="manual" if source in ("manual", "qualitative") else "computed",
                period=month,
                recorded_at=s.at(recorded_days_ago),
                **figures,
            ),
            forum,
        )

    for i, month in enumerate(months):
        ago = 150 - 28 * i
        valued(theft, "incidents_baseline", month, ago, iccs_code="0502", baseline=12.0,
               target=8.0, value=12.0 - i * 0.9, status="on_track" if i < 4 else "behind",
               as_of=s.at(ago).date())  # fmt: skip
        valued(safe, "survey_item", month, ago, item="feel_safe_after_dark", baseline=0.4,
               target=0.6, value=round(0.4 + i * 0.03, 3), status="on_track")  # fmt: skip
        rating = ("not_started", "some_progress", "some_progress", "achieved")[min(i, 3)]
        valued(lights, "qualitative", month, ago, rating=rating,
               status="achieved" if rating == "achieved" else "on_track")  # fmt: skip
    last = months[-1]
    # the latest month recomputed (wins), then a stale restatement arriving late (loses)
    valued(theft, "incidents_baseline", last, 0.5, iccs_code="0502", baseline=12.0, target=8.0,
           value=7.5, status="achieved")  # fmt: skip
    valued(theft, "incidents_baseline", last, 20, iccs_code="0502", baseline=12.0, target=8.0,
           value=99.0, status="behind")  # fmt: skip


def _opened(s, case_id, forum_area, area, level, iccs, days_ago):
    forum_id = s.forum_in[forum_area]
    return SaraCaseOpened(
        forum_id=forum_id,
        case_id=case_id,
        area_level=level,
        area_id=area,
        iccs_code=iccs,
        comparison_area_id="IR-01-S1",
        linked_incidents=3,
        linked_concerns=1,
        baseline=FrozenBaseline(
            method="farrington_flexible",
            from_date=s.at(days_ago + 365).date(),
            to_date=s.at(days_ago).date(),
            weeks=52,
            observed=40,
            expected=35.5,
            weeks_flagged=2,
        ),
        opened_at=s.at(days_ago),
    )


def _assessed(s, case_id, forum_id, days_ago, treated_after, wdd, impact):
    return SaraCaseAssessed(
        forum_id=forum_id,
        case_id=case_id,
        interventions_planned=4,
        interventions_as_planned=3,
        before_from=s.at(days_ago + 180).date(),
        before_to=s.at(days_ago + 91).date(),
        after_from=s.at(days_ago + 90).date(),
        after_to=s.at(days_ago + 1).date(),
        treated_before=30,
        treated_after=treated_after,
        comparison_before=20,
        comparison_after=21,
        wdd=wdd,
        wdd_p=0.031,
        etest_p=0.012,
        impact=impact,
        displacement="none",
        assessed_at=s.at(days_ago),
    )


def sara(s, rng: random.Random) -> None:
    stages = ("scanning", "analysis", "response", "assessment", "closed")
    cases = (  # (forum's area, case area, level, ICCS, opened days ago, stages reached)
        ("AM-01-S1", "AM-01-S1", "station", "0502", 120, 4),
        ("IR-01-S1", "IR-01-S1", "station", None, 60, 2),
        ("AM-02", "AM-02", "district", "0401", 100, 3),
        ("MA", "MA", "governorate", "0502", 200, 5),  # opened before the period
    )
    for forum_area, area, level, iccs, opened, reached in cases:
        case_id, forum_id = uuid7(), s.forum_in[forum_area]
        s.add(_opened(s, case_id, forum_area, area, level, iccs, opened), forum_id)
        for k in range(1, reached):
            s.add(
                SaraStageChanged(
                    forum_id=forum_id,
                    case_id=case_id,
                    from_stage=stages[k - 1],
                    to_stage=stages[k],
                    changed_at=s.at(opened - 10 * k),
                ),
                forum_id,
            )
        if reached >= 4:  # assessed, then assessed again on later figures (that one counts)
            s.add(_assessed(s, case_id, forum_id, opened - 50, 22, -9.0, "reduction"), forum_id)
            s.add(_assessed(s, case_id, forum_id, opened - 60, 18, -13.0, "reduction"), forum_id)


def add_programme(s) -> None:
    rng = random.Random(s.seed + 101)
    activities(s, rng)
    membership(s, rng)
    plans(s, rng)
    sara(s, rng)
