"""The figures the analytics views should show, recomputed from raw topic records.

Deliberately independent of services/analytics: plain dicts and the standard library, the
definitions written out from the README (cohorts, "latest finding per allegation", ...).
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from libs.reference import load_reference


def t(value: str) -> datetime:
    return datetime.fromisoformat(value)


def d(value: str) -> date:
    return date.fromisoformat(value)


def in_period(day: date, start: date, end: date) -> bool:
    return start <= day <= end


def quantile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks, written out."""
    if not values:
        return None
    xs = sorted(values)
    position = (len(xs) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(xs) - 1)
    return xs[low] + (xs[high] - xs[low]) * (position - low)


def station_of(station_id):
    return load_reference().stations.get(station_id or "")


def in_area(area: str | None, station: str | None, governorate: str | None) -> bool:
    if area is None:
        return True
    if area in (station, governorate):
        return True
    s = station_of(station)
    return bool(s and s.district_code == area)


# --- crime -----------------------------------------------------------------------------------


def incidents(events) -> dict:
    state: dict[str, dict] = {}
    for kind, data in events:
        iid = data.get("incident_id")
        if kind == "incident.recorded":
            state[iid] = {
                "station": data["station_id"],
                "gov": data["governorate_code"],
                "district": data["district_code"],
                "codes": [o["iccs_code"] for o in data["offences"]],
                "occurred": t(data["occurred_at"]),
                "status": "active",
                "domestic_codes": [o["iccs_code"] for o in data["offences"] if o["domestic"]],
                "victims": data.get("victims", []),
            }
        elif kind == "incident.reclassified" and iid in state:
            state[iid]["codes"] = [o["iccs_code"] for o in data["offences"]]
            state[iid]["domestic_codes"] = [
                o["iccs_code"] for o in data["offences"] if o["domestic"]
            ]
        elif kind == "incident.voided" and iid in state:
            state[iid]["status"] = "voided"
        elif kind == "incident.merged" and iid in state:
            state[iid]["status"] = "merged"
    return state


def crime(events, start: date, end: date, area: str | None = None, category=None) -> dict:
    counted = [
        i
        for i in incidents(events).values()
        if i["status"] == "active"
        and in_period(i["occurred"].astimezone(UTC).date(), start, end)
        and in_area(area, i["station"], i["gov"])
        and (category is None or any(c.startswith(category) for c in i["codes"]))
    ]
    sections = Counter(s for i in counted for s in {c[:2] for c in i["codes"]})
    weeks = Counter(
        (
            i["occurred"].astimezone(UTC).date()
            - timedelta(days=i["occurred"].astimezone(UTC).weekday())
        ).isoformat()
        for i in counted
    )
    return {
        "total": len(counted),
        "by_governorate": Counter(i["gov"] for i in counted),
        "by_station": Counter(i["station"] for i in counted),
        "sections": sections,
        "weeks": weeks,
    }


def crime_by_victim(events, start: date, end: date, area: str | None = None, category=None):
    """Incidents per victim sex and age band (once per group an incident's victims are in;
    "no_victim_recorded" without victims), domestic ones among them, and domestic incidents
    per week and per governorate: a domestic offence in the category (any without one)."""
    sexes: Counter = Counter()
    bands: Counter = Counter()
    domestic_sexes: Counter = Counter()
    domestic_bands: Counter = Counter()
    weeks: Counter = Counter()
    by_gov: Counter = Counter()
    for i in incidents(events).values():
        day = i["occurred"].astimezone(UTC).date()
        if not (
            i["status"] == "active"
            and in_period(day, start, end)
            and in_area(area, i["station"], i["gov"])
            and (category is None or any(c.startswith(category) for c in i["codes"]))
        ):
            continue
        domestic = any(category is None or c.startswith(category) for c in i["domestic_codes"])
        i_sexes = {v["sex"] for v in i["victims"]} or {"no_victim_recorded"}
        i_bands = {v["age_band"] for v in i["victims"]} or {"no_victim_recorded"}
        sexes.update(i_sexes)
        bands.update(i_bands)
        if domestic:
            domestic_sexes.update(i_sexes)
            domestic_bands.update(i_bands)
            weeks[(day - timedelta(days=day.weekday())).isoformat()] += 1
            by_gov[i["gov"]] += 1
    return {
        "sexes": sexes,
        "bands": bands,
        "domestic_sexes": domestic_sexes,
        "domestic_bands": domestic_bands,
        "domestic_weeks": weeks,
        "domestic_by_governorate": by_gov,
    }


# --- accountability --------------------------------------------------------------------------


def complaints(events) -> dict:
    state: dict[str, dict] = {}
    for kind, data in events:
        if not kind.startswith("complaint."):
            continue
        cid = data["complaint_id"]
        if kind == "complaint.received":
            state[cid] = {
                "station": data["station_id"],
                "gov": data["governorate_code"],
                "received": t(data["received_at"]),
                "closed": None,
                "categories": data["allegation_categories"],
                "findings": {},
                "clocks": set(),
                "reviews": [],
            }
        c = state.get(cid)
        if c is None:
            continue
        if kind == "complaint.closed" and c["closed"] is None:
            c["closed"] = t(data["closed_at"])
        elif kind == "complaint.finding_recorded":
            c["findings"][data["allegation_id"]] = data["finding"]
        elif kind == "complaint.deadline_breached":
            c["clocks"].add(data["clock"])
        elif kind == "complaint.status_changed" and data["from_status"] == "review_requested":
            c["reviews"].append(
                "upheld" if data["to_status"] == "formal_investigation" else "not_upheld"
            )
    return state


def accountability(events, start: date, end: date, now: datetime, area: str | None = None):
    cohort = [
        c
        for c in complaints(events).values()
        if in_period(c["received"].astimezone(UTC).date(), start, end)
        and in_area(area, c["station"], c["gov"])
    ]
    days = [(c["closed"] - c["received"]).total_seconds() / 86400 for c in cohort if c["closed"]]
    findings = Counter(f for c in cohort for f in c["findings"].values())
    recs: dict[str, dict] = {}
    areas = {cid: c for cid, c in complaints(events).items()}
    for kind, data in events:
        if kind == "complaint.recommendation_made":
            c = areas[data["complaint_id"]]
            if in_period(t(data["made_at"]).astimezone(UTC).date(), start, end) and in_area(
                area, c["station"], c["gov"]
            ):
                recs[data["recommendation_id"]] = {
                    "respond_by": t(data["respond_by"]),
                    "answer": None,
                }
        elif kind == "complaint.recommendation_answered" and data["recommendation_id"] in recs:
            recs[data["recommendation_id"]]["answer"] = data["answer"]
    open_recs = [r for r in recs.values() if r["answer"] is None]
    return {
        "received": len(cohort),
        "closed": len(days),
        "median": quantile(days, 0.5),
        "p90": quantile(days, 0.9),
        "share_past_any_clock": (sum(1 for c in cohort if c["clocks"]) / len(cohort))
        if cohort
        else None,
        "clocks": Counter(k for c in cohort for k in c["clocks"]),
        "findings": findings,
        "categories": Counter(k for c in cohort for k in c["categories"]),
        "reviews": Counter(r for c in cohort for r in c["reviews"]),
        "by_governorate": Counter(c["gov"] for c in cohort),
        "recommendations_open": len(open_recs),
        "recommendations_overdue": sum(1 for r in open_recs if r["respond_by"] < now),
    }


# --- engagement ------------------------------------------------------------------------------


def engagement(events, start: date, end: date, today: date, area: str | None = None):
    fora: dict[str, dict] = {}
    meetings: dict[str, dict] = {}
    actions: dict[str, dict] = {}
    ref = load_reference()
    for kind, data in events:
        if kind == "forum.registered":
            level, code = data["level"], data["area_code"]
            station = data["station_id"] if level == "station" else None
            gov = (
                ref.stations[station].governorate_code
                if station
                else ref.districts[code].governorate_code
                if level == "district"
                else code
                if level == "governorate"
                else None
            )
            district = (
                ref.stations[station].district_code
                if station
                else code
                if level == "district"
                else None
            )
            fora[data["forum_id"]] = {"station": station, "gov": gov, "district": district}
        elif kind == "meeting.held":
            meetings[data["meeting_id"]] = data
        elif kind == "action.status_changed":
            a = actions.setdefault(data["action_id"], {"forum": data["forum_id"]})
            a["status"] = data["to_status"]
            if data.get("due_on"):
                a["due"] = d(data["due_on"])
            a["done"] = t(data["changed_at"]).date() if data["to_status"] == "done" else None

    def here(forum_id) -> bool:
        f = fora[forum_id]
        if area is None:
            return True
        return area in (f["station"], f["gov"], f["district"])

    held = [
        m
        for m in meetings.values()
        if here(m["forum_id"]) and in_period(d(m["held_on"]), start, end)
    ]
    total = sum(m["attendance"]["total"] for m in held)
    women = sum(m["attendance"]["women"] for m in held)
    due = [
        a
        for a in actions.values()
        if here(a["forum"]) and in_period(a["due"], start, end) and a["status"] != "dropped"
    ]
    on_time = sum(1 for a in due if a["status"] == "done" and a["done"] <= a["due"])
    return {
        "fora": sum(1 for f in fora if here(f)),
        "meetings_held": len(held),
        "quorum": sum(1 for m in held if m.get("quorum_applies", True) and m["quorum_met"]),
        "quorate_kinds": sum(1 for m in held if m.get("quorum_applies", True)),
        "women_share": women / total if total else None,
        "actions_due": len(due),
        "on_time": on_time,
        "overdue": sum(1 for a in due if a["status"] != "done" and a["due"] < today),
    }


# --- the public report -----------------------------------------------------------------------


def month_counts(events, month: str) -> dict[str, Counter]:
    year, number = int(month[:4]), int(month[5:])
    start = date(year, number, 1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    crime_counts = crime(events, start, end)["by_governorate"]
    received, closed = Counter(), Counter()
    for c in complaints(events).values():
        if in_period(c["received"].astimezone(UTC).date(), start, end):
            received[c["gov"]] += 1
        if c["closed"] and in_period(c["closed"].astimezone(UTC).date(), start, end):
            closed[c["gov"]] += 1
    return {"incidents": crime_counts, "complaints_received": received, "complaints_closed": closed}


# --- perception surveys ----------------------------------------------------------------------

SURVEY_ITEMS = (
    "feel_safe_after_dark",
    "trust_police",
    "advise_report_domestic_violence",
    "advise_report_theft",
    "advise_report_assault",
    "heard_of_council",
)
ABOVE = "above"


def survey_publications(events) -> dict[str, list[dict]]:
    """Every publication of each wave, in the order the topic delivered them."""
    out: dict[str, list[dict]] = {}
    for kind, data in events:
        if kind == "survey.results_published":
            out.setdefault(data["wave_id"], []).append(data)
    return out


def latest_publications(events) -> dict[str, dict]:
    """Per wave, the publication with the latest published_at, whatever order it came in."""
    return {
        wave: max(pubs, key=lambda p: t(p["published_at"]))
        for wave, pubs in survey_publications(events).items()
    }


def _within(area: str | None, inner: str | None) -> bool:
    """Area `inner` lies in (or is) `area` (None: the whole country)."""
    if area is None:
        return True
    try:
        return area in load_reference().areas_above(inner or "").values()
    except KeyError:
        return False


def _cells_of(wave: dict, by: list[str]) -> list[dict]:
    for table in wave["tables"]:
        if sorted(table["by"]) == by:
            return table["cells"]
    return []


def _figures(pairs, item: str) -> dict:
    """pairs: (wave, cell). Visible counts summed; every cell of a wave that asked the item
    and shows no count for it is counted as suppressed."""
    answered = positive = suppressed = 0
    for wave, cell in pairs:
        asked = {i["item"] for tb in wave["tables"] for c in tb["cells"] for i in c["items"]}
        if item not in (asked or SURVEY_ITEMS):
            continue
        count = next((i for i in cell["items"] if i["item"] == item), None)
        if cell["suppressed"] or count is None or count["positive"] is None:
            suppressed += 1
        else:
            answered += count["answered"]
            positive += count["positive"]
    return {
        "share": positive / answered if answered else None,
        "answered": answered,
        "suppressed": suppressed,
    }


def surveys(events, start: date, end: date, area: str | None = None, category=None) -> dict:
    """Survey perceptions from the table by area and gender (fora publishes no margins): by
    gender from the cells of the waves run within the area, by area from the cells within it
    (rolled up to the area's breakdown level), waves closing in the period."""
    types = {d["forum_id"]: d["forum_type"] for k, d in events if k == "forum.registered"}
    waves = [
        w
        for w in latest_publications(events).values()
        if in_period(d(w["closes_on"]), start, end)
        and (category is None or types.get(w["forum_id"]) == category)
    ]
    here = [w for w in waves if _within(area, w["area_id"])]
    gendered = [(w, c) for w in here for c in _cells_of(w, ["area", "gender"])]
    located = [
        (w, c)
        for w in waves
        for c in _cells_of(w, ["area", "gender"])
        if _within(area, c["area_id"])
    ]
    level = {None: "governorate", "national": "governorate", "governorate": "district"}.get(
        area and load_reference().area_level(area), "station"
    )

    def rolls_into(cell_area: str | None) -> str:
        try:
            return load_reference().areas_above(cell_area or "").get(level) or ABOVE
        except KeyError:
            return ABOVE

    by_gender = {}
    for item in SURVEY_ITEMS:
        by_gender[item] = {"all": _figures(gendered, item)}
        for g in ("female", "male", "unknown"):
            by_gender[item][g] = _figures([p for p in gendered if p[1]["gender"] == g], item)
    by_area = {}
    for key in {rolls_into(c["area_id"]) for _, c in located}:
        mine = [p for p in located if rolls_into(p[1]["area_id"]) == key]
        for item in SURVEY_ITEMS:
            figures = _figures(mine, item)
            if figures["answered"] or figures["suppressed"]:
                by_area[(key, item)] = figures
    hidden = {id(c) for _, c in gendered + located if c["suppressed"]}
    return {
        "waves": len(here),
        "responses": sum(c["responses"] for _, c in gendered if not c["suppressed"]),
        "by_gender": by_gender,
        "by_area": by_area,
        "suppressed_cells": len(hidden),
    }
