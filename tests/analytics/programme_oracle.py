"""The programme pages' figures recomputed from the raw topic records, independently of
services/analytics: plain dicts, the definitions written out from the README."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from libs.reference import load_reference


def t(value: str) -> datetime:
    return datetime.fromisoformat(value)


def d(value: str) -> date:
    return date.fromisoformat(value)


def places(area_id: str | None) -> set[str]:
    """The area and every area above it (what an area filter matches)."""
    ref = load_reference()
    if not area_id:
        return set()
    if area_id in ref.stations:
        s = ref.stations[area_id]
        return {area_id, s.district_code, s.governorate_code}
    if area_id in ref.districts:
        return {area_id, ref.districts[area_id].governorate_code}
    return {area_id}


def governorate(area_id: str) -> str | None:
    ref = load_reference()
    return next((p for p in places(area_id) if p in ref.governorates), None)


def inside(area: str | None, area_id: str) -> bool:
    return area is None or area in places(area_id)


def fora(events) -> dict[str, dict]:
    out = {}
    for kind, data in events:
        if kind == "forum.registered":
            area = data["station_id"] if data["level"] == "station" else data["area_code"]
            out[data["forum_id"]] = {"area": area, "origin": data.get("origin"),
                                     "type": data["forum_type"]}  # fmt: skip
    return out


def outreach(events, start: date, end: date, area: str | None = None) -> dict:
    registered = fora(events)
    latest: dict[str, dict] = {}
    for kind, data in events:
        if kind == "activity.recorded":
            latest[data["activity_id"]] = data  # records of one activity share a key: in order
    acts = [
        a for a in latest.values()
        if start <= d(a["held_on"]) <= end and inside(area, a["area_id"])
    ]  # fmt: skip
    gender = Counter()
    for a in acts:
        for p in a["participants_by_gender"]:
            gender[p["gender"]] += p["count"]
    by_origin = Counter(
        "no_forum" if not a["forum_id"] else registered[a["forum_id"]]["origin"] or "unknown"
        for a in acts
    )
    by_gov = Counter(governorate(a["area_id"]) for a in acts)
    return {
        "activities": len(acts),
        "trainings": sum(1 for a in acts if a["kind"] == "training"),
        "participants": sum(a["participants"] for a in acts),
        "women": gender["female"],
        "men": gender["male"],
        "direct": sum(a["direct_beneficiaries"] for a in acts),
        "indirect": sum(a["indirect_beneficiaries"] for a in acts),
        "by_kind": Counter(a["kind"] for a in acts),
        "participants_by_audience": sum(
            (Counter({a["audience"]: a["participants"]}) for a in acts), Counter()
        ),  # fmt: skip
        "by_origin": by_origin,
        "by_governorate": by_gov,
    }


def membership(events, end: date, area: str | None = None) -> dict:
    registered = fora(events)
    latest: dict[str, dict] = {}
    for kind, data in events:
        if kind != "forum.membership_counted" or t(data["counted_at"]).date() > end:
            continue
        held = latest.get(data["forum_id"])
        if held is None or t(data["counted_at"]) > t(held["counted_at"]):
            latest[data["forum_id"]] = data
    counts = [c for f, c in latest.items() if inside(area, registered[f]["area"])]
    women = sum(x["members"] for c in counts for x in c["by_group_and_gender"]
                if x["gender"] == "female")  # fmt: skip
    members = sum(c["members"] for c in counts)
    groups: dict[str, Counter] = defaultdict(Counter)
    for c in counts:
        for x in c["by_group_and_gender"]:
            groups[x["group"]][x["gender"]] += x["members"]
    meeting = 0
    for c in counts:
        w = sum(x["members"] for x in c["by_group_and_gender"] if x["gender"] == "female")
        meeting += bool(c["members"]) and 3 * w >= c["members"]
    return {
        "fora": len(counts),
        "members": members,
        "women": women,
        "women_share": round(women / members, 4) if members else None,
        "groups": groups,
        "meeting_target": meeting,
    }


def _start(period: str) -> date:
    year, part = period.split("-")
    month = {"Q1": 1, "Q2": 4, "Q3": 7, "Q4": 10}.get(part) or int(part)
    return date(int(year), month, 1)


def plans(events, start: date, end: date, area: str | None = None) -> dict:
    latest: dict[tuple[str, str], dict] = {}
    for kind, data in events:
        if kind != "plan.indicator_valued":
            continue
        key = (data["indicator_id"], data["period"])
        if key not in latest or t(data["recorded_at"]) > t(latest[key]["recorded_at"]):
            latest[key] = data
    series: dict[str, list[dict]] = defaultdict(list)
    for (indicator, period), v in sorted(latest.items(), key=lambda kv: _start(kv[0][1])):
        if start.replace(day=1) <= _start(period) <= end and inside(area, v["area_id"]):
            series[indicator].append(v)
    current = {i: vs[-1] for i, vs in series.items()}
    return {
        "indicators": current,
        "series": series,
        "statuses": Counter(v["status"] for v in current.values()),
        "plans": len({v["plan_id"] for v in current.values()}),
    }


def sara(events, start: date, end: date, area: str | None = None) -> dict:
    cases, stage, assessed = {}, {}, {}
    for kind, data in events:
        if kind == "sara_case.opened":
            cases[data["case_id"]] = data
        elif kind == "sara_case.stage_changed":
            held = stage.get(data["case_id"])
            if held is None or t(data["changed_at"]) > t(held["changed_at"]):
                stage[data["case_id"]] = data
        elif kind == "sara_case.assessed":
            held = assessed.get(data["case_id"])
            if held is None or t(data["assessed_at"]) > t(held["assessed_at"]):
                assessed[data["case_id"]] = data
    last = end + timedelta(days=1)

    def here(case) -> bool:
        return inside(area, case["area_id"])

    opened = [c for c in cases.values()
              if start <= t(c["opened_at"]).date() < last and here(c)]  # fmt: skip
    stages = Counter(stage[c["case_id"]]["to_stage"] if c["case_id"] in stage else "scanning"
                     for c in opened)  # fmt: skip
    assessments = {k: a for k, a in assessed.items()
                   if start <= t(a["assessed_at"]).date() < last and here(cases[k])}  # fmt: skip
    return {
        "opened": len(opened),
        "stages": stages,
        "problems": Counter(
            (c["iccs_code"] or "no_category")[:2] if c["iccs_code"] else "no_category"
            for c in opened
        ),  # fmt: skip
        "assessments": assessments,
    }
