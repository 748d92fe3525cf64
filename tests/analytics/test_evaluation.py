"""The before/after evaluation page and the scorecard's perceptions, against figures worked
out by hand.

A pilot district (AM-01) and a comparison district (IR-01), a programme starting START: the
incidents are recorded through the incidents service's API (so its own WDD and analytics'
counts come from the same records, through the outbox and the topic); complaints and survey
results are published on their topics as the complaints and fora services would. Every
expected figure below is a literal, with its arithmetic in a comment: none is recomputed by
the code under test.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from uuid6 import uuid7

from libs.contracts.complaints import ComplaintClosed, ComplaintReceived
from libs.contracts.fora import SurveyCell, SurveyItemCount, SurveyResultsPublished, SurveyTable
from libs.reference import load_reference
from services.analytics.baselines_client import BaselinesClient
from tests.support.platform import eventually, make_platform

from .page import as_number, numbers
from .scenario import publish

pytestmark = pytest.mark.slow

TODAY = datetime.now(UTC).date()
START = TODAY - timedelta(days=20)  # the programme's first day
DAYS = 10  # before: START-10 .. START-1; after: START .. START+9 (= TODAY-11)
PILOT, COMPARISON = "AM-01", "IR-01"
TRUST, SAFE = "trust_police", "feel_safe_after_dark"


def day(offset: int) -> datetime:
    """Noon UTC, `offset` days from the programme's start (never near a day's edge)."""
    return datetime.combine(START + timedelta(days=offset), time(12), UTC)


# (station, days from START) of each incident recorded; a "void" one is voided afterwards
INCIDENTS = [
    # pilot before: 6 (4 at S1, 2 at S2)
    *[("AM-01-S1", -d) for d in (1, 3, 5, 9)],
    *[("AM-01-S2", -d) for d in (2, 10)],
    # pilot after: 3 counted, plus one voided
    *[("AM-01-S1", d) for d in (0, 4)],
    ("AM-01-S2", 9),
    # comparison before: 4; after: 5
    *[("IR-01-S1", -d) for d in (1, 2, 6, 8)],
    *[("IR-01-S1", d) for d in (1, 2, 3, 5, 7)],
    # outside both windows: before the before window, after the after window
    ("AM-01-S1", -11),
    ("IR-01-S1", 10),
    # another district: counts nowhere
    ("AM-02-S1", 2),
]
VOIDED = ("AM-01-S1", 6)


def _complaint(station: str | None, governorate: str, received: int, closed: int | None):
    cid = uuid7()
    events: list[tuple[Any, Any]] = [
        (
            ComplaintReceived(
                complaint_id=cid,
                channel="web",
                station_id=station,
                governorate_code=governorate,
                allegation_categories=["discourtesy"],
                received_at=day(received),
            ),
            cid,
        )
    ]
    if closed is not None:
        events.append((ComplaintClosed(complaint_id=cid, closed_at=day(closed)), cid))
    return events


COMPLAINTS = [
    # pilot: received before 3 (one closed before, one closed after), received after 2 (one
    # closed after) -> received 3 / 2, closed 1 / 2
    *_complaint("AM-01-S1", "AM", -8, -4),
    *_complaint("AM-01-S2", "AM", -6, 2),
    *_complaint("AM-01-S1", "AM", -2, None),
    *_complaint("AM-01-S2", "AM", 1, 3),
    *_complaint("AM-01-S1", "AM", 5, None),
    # naming no station: counts in governorate AM only, not in the district
    *_complaint(None, "AM", -3, -1),
    # comparison: received before 1 (closed after), after 4, none closed -> 1 / 4, 0 / 1
    *_complaint("IR-01-S1", "IR", -9, 4),
    *[e for d in (0, 2, 6, 8) for e in _complaint("IR-01-S1", "IR", d, None)],
    # received before the before window, closed in it: closed before +1 for the comparison
    *_complaint("IR-01-S1", "IR", -30, -5),
]


def _cell(area, gender, responses=None, **items):
    """A shown cell (items: name=(answered, positive or None)), or a suppressed one."""
    if responses is None:
        return SurveyCell(area_id=area, gender=gender, suppressed=True)
    counts = [SurveyItemCount(item=k, answered=a, positive=p) for k, (a, p) in items.items()]
    return SurveyCell(
        area_id=area, gender=gender, suppressed=False, responses=responses, items=counts
    )


def _wave(area: str, closes: int, cells: list[SurveyCell]):
    wave = uuid4()
    closes_on = START + timedelta(days=closes)
    event = SurveyResultsPublished(
        wave_id=wave,
        forum_id=None,
        area_id=area,
        opens_on=closes_on - timedelta(days=20),
        closes_on=closes_on,
        min_cell_size=5,
        responses=sum(c.responses or 3 for c in cells),
        tables=[SurveyTable(by=["area", "gender"], cells=cells)],
        published_at=datetime.combine(closes_on + timedelta(days=1), time(9), UTC),
    )
    return (event, area)


SURVEYS = [
    # W1, the pilot district's wave closing before the start
    _wave(
        PILOT,
        -3,
        [
            _cell("AM-01-S1", "female", 10, trust_police=(10, 4), feel_safe_after_dark=(9, 3)),
            _cell("AM-01-S1", "male", 12, trust_police=(12, 8), feel_safe_after_dark=(12, 9)),
            _cell("AM-01-S2", "female"),  # suppressed
            _cell("AM-01-S2", "male", 6, trust_police=(6, 3), feel_safe_after_dark=(4, None)),
        ],
    ),
    # W2, a national wave closing after the start: cells in both districts and elsewhere
    _wave(
        "JO",
        5,
        [
            _cell("AM-01-S1", "female", 8, trust_police=(8, 6), feel_safe_after_dark=(8, 2)),
            _cell("AM-01-S1", "male", 7, trust_police=(7, 5), feel_safe_after_dark=(7, 6)),
            _cell("IR-01-S1", "female", 9, trust_police=(9, 2), feel_safe_after_dark=(9, 4)),
            _cell("AM-02-S1", "male", 5, trust_police=(5, 5), feel_safe_after_dark=(5, 5)),
        ],
    ),
    # W3, the comparison station's wave before the start, asking trust only
    _wave(
        "IR-01-S1",
        -5,
        [
            _cell("IR-01-S1", "female", 10, trust_police=(10, 5)),
            _cell("IR-01-S1", "male", 10, trust_police=(10, 7)),
        ],
    ),
    # closing before the before window: in neither
    _wave(PILOT, -15, [_cell("AM-01-S1", "male", 20, trust_police=(20, 0))]),
]

BASE = {"treated": PILOT, "comparison": COMPARISON, "start": START.isoformat(), "days": DAYS}


@pytest.fixture(scope="module")
async def world(infra):
    platform = await make_platform(infra)
    await platform.migrate("analytics", "incidents")
    async with platform.run("incidents") as incidents, platform.run("analytics") as analytics:
        analytics.app.state.service_apis = {  # type: ignore[attr-defined]
            "incidents": BaselinesClient(incidents, platform.settings)
        }
        reference = load_reference()
        for n, (station, offset) in enumerate([*INCIDENTS, VOIDED]):
            officer = platform.token("station_officer", station)
            made = await incidents.post(
                "/v1/incidents",
                json={
                    "station_id": station,
                    "source_ref": f"evaluation-{n}",
                    "occurred_at": day(offset).isoformat(),
                    "offences": [{"iccs_code": "0502"}],
                },
                headers=officer,
            )
            assert made.status_code == 201, made.text
            assert reference.stations[station]
        voided = await incidents.post(
            f"/v1/incidents/{made.json()['incident_id']}/void",
            json={"reason_code": "RECORDED_IN_ERROR"},
            headers=platform.token("station_officer", VOIDED[0]),
        )
        assert voided.status_code == 200, voided.text
        await publish(platform.settings, [(e, str(key)) for e, key in COMPLAINTS + SURVEYS])

        async def applied():
            facts = await platform.scalar(
                "analytics", "SELECT count(*) FROM incident_facts WHERE status = 'active'"
            )
            complaints = await platform.scalar("analytics", "SELECT count(*) FROM complaint_facts")
            waves = await platform.scalar("analytics", "SELECT count(*) FROM survey_waves")
            return (facts, complaints, waves) == (len(INCIDENTS), 12, len(SURVEYS))

        await eventually(applied, timeout=60)
        yield platform, analytics, incidents


async def _json(analytics, headers, path="/v1/stats/evaluation", **params):
    response = await analytics.get(path, params=BASE | params, headers=headers)
    assert response.status_code == 200, response.text[:800]
    return response


def _rows(view, table):
    return {r["role"]: r for r in view["tables"][table]}


async def test_evaluation_matches_the_hand_computed_figures(world):
    platform, analytics, incidents = world
    analyst = platform.token("ministry_analyst")
    view = (await _json(analytics, analyst)).json()
    assert view["filters"]["before"] == {
        "from": (START - timedelta(days=10)).isoformat(),
        "to": (START - timedelta(days=1)).isoformat(),
        "days": 10,
    }
    assert view["filters"]["after"]["to"] == (START + timedelta(days=9)).isoformat()

    # incidents, from analytics' read model: pilot 4 + 2 = 6 before, 2 + 1 = 3 after (the
    # voided one and those outside the windows left out); comparison 4 before, 5 after
    rows = _rows(view, "incidents")
    counted = {
        role: (r["incidents_before"], r["incidents_after"], r["incidents_change"])
        for role, r in rows.items()
    }
    assert counted == {"treated": (6, 3, -3), "comparison": (4, 5, 1)}
    assert rows["treated"]["incidents_change_share"] == -0.5  # (3 - 6) / 6

    # the incidents service's test: WDD = (3 - 6) - (5 - 4) = -4; Var = 6 + 3 + 4 + 5 = 18;
    # 95% interval = -4 ± 1.959964 * sqrt(18) = -4 ± 1.959964 * 4.242641 = -4 ± 8.315404
    # = [-12.32, 4.32]
    [test] = view["tables"]["incidents_test"]
    assert (test["wdd"], test["wdd_variance"]) == (-4.0, 18.0)
    assert (test["wdd_ci_low"], test["wdd_ci_high"]) == (-12.32, 4.32)
    assert (test["treated_before"], test["treated_after"]) == (6, 3)
    assert (test["comparison_before"], test["comparison_after"]) == (4, 5)
    # z = -4 / 4.242641 = -0.9428; p = 2 * (1 - Phi(0.9428)) = 2 * 0.17291 = 0.3458
    assert test["wdd_p"] == pytest.approx(0.3458, abs=1e-4)
    own = await incidents.get(
        "/v1/evaluations/before-after",
        params={
            "treated": PILOT,
            "comparison": COMPARISON,
            "before_from": view["filters"]["before"]["from"],
            "before_to": view["filters"]["before"]["to"],
            "after_from": view["filters"]["after"]["from"],
            "after_to": view["filters"]["after"]["to"],
        },
        headers=analyst,
    )
    assert own.status_code == 200, own.text
    own = own.json()
    assert (own["wdd"], own["wdd_variance"]) == (test["wdd"], test["wdd_variance"])
    assert test["wdd_p"] == round(own["wdd_p"], 4)
    assert test["etest_p"] == round(own["etest_p"], 4)
    s = view["summary"]
    assert (s["wdd"], s["wdd_ci_low"], s["wdd_ci_high"]) == (-4.0, -12.32, 4.32)
    notes = {n["code"] for n in view["notes"]}
    assert "evaluation_windows" in notes and "evaluation_unavailable" not in notes
    assert "evaluation_counts_differ" not in notes

    # complaints: pilot received 3 / 2, closed 1 / 2 (the complaint naming no station is the
    # governorate's only); comparison received 1 / 4, closed 1 (the one received a month
    # before) / 1
    complaints = {
        role: (r["received_before"], r["received_after"], r["closed_before"], r["closed_after"])
        for role, r in _rows(view, "complaints").items()
    }
    assert complaints == {"treated": (3, 2, 1, 2), "comparison": (1, 4, 1, 1)}

    # survey, shown cells lying in each district, waves closing in each window:
    # pilot before (W1): trust (4 + 8 + 3) / (10 + 12 + 6) = 15/28 = 0.5357, one suppressed
    #   cell left out; safe (3 + 9) / (9 + 12) = 12/21 = 0.5714, the suppressed cell and
    #   the item under the minimum in S2/male left out (2)
    # pilot after (W2, national): trust (6 + 5) / (8 + 7) = 11/15 = 0.7333; safe 8/15 = 0.5333
    # comparison before (W3): trust (5 + 7) / 20 = 0.6; safe not asked
    # comparison after (W2): trust 2/9 = 0.2222; safe 4/9 = 0.4444
    survey = {(r["role"], r["item"]): r for r in view["tables"]["survey"]}
    assert set(survey) == {
        ("treated", TRUST), ("treated", SAFE), ("comparison", TRUST), ("comparison", SAFE)
    }  # fmt: skip
    shares = {
        key: (r["before_share"], r["before_answered"], r["before_suppressed"],
              r["after_share"], r["after_answered"], r["after_suppressed"])
        for key, r in survey.items()
    }  # fmt: skip
    assert shares == {
        ("treated", TRUST): (0.5357, 28, 1, 0.7333, 15, 0),
        ("treated", SAFE): (0.5714, 21, 2, 0.5333, 15, 0),
        ("comparison", TRUST): (0.6, 20, 0, 0.2222, 9, 0),
        ("comparison", SAFE): (None, 0, 0, 0.4444, 9, 0),
    }
    # Wilson, z = 1.959964, z^2 = 3.841459. 15/28: p = 0.535714; centre = (p + z^2/56) /
    # (1 + z^2/28) = (0.535714 + 0.068597) / 1.137195 = 0.531404; half = z * sqrt(p(1-p)/28
    # + z^2/(4*28^2)) / 1.137195 = 1.959964 * sqrt(0.008883 + 0.001225) / 1.137195 = 0.173276
    # -> [0.3581, 0.7047]
    trust = survey[("treated", TRUST)]
    assert (trust["before_ci_low"], trust["before_ci_high"]) == pytest.approx(
        (0.3581, 0.7047), abs=1e-4
    )
    # 11/15: p = 0.733333; centre = (0.733333 + 3.841459/30) / (1 + 3.841459/15) =
    # (0.733333 + 0.128049) / 1.256097 = 0.685761; half = 1.959964 * sqrt(0.195556/15 +
    # 3.841459/900) / 1.256097 = 1.959964 * sqrt(0.013037 + 0.004268) / 1.256097 = 0.205264
    # -> [0.4805, 0.8910]
    assert (trust["after_ci_low"], trust["after_ci_high"]) == pytest.approx(
        (0.4805, 0.8910), abs=1e-4
    )
    assert survey[("comparison", SAFE)]["before_ci_low"] is None
    wide = {r["item"]: r for r in view["tables"]["survey_shares"]}
    assert wide[TRUST] == {
        "item": TRUST,
        "treated_before_share": 0.5357,
        "treated_after_share": 0.7333,
        "comparison_before_share": 0.6,
        "comparison_after_share": 0.2222,
    }
    [hidden] = [n for n in view["notes"] if n["code"] == "survey_cells_suppressed"]
    assert hidden["detail"] == "1"
    assert s["survey_waves"] == 3  # W1, W2, W3; the one closing earlier is in neither window

    # every table as CSV, the same figures
    for table in ("incidents", "incidents_test", "complaints", "survey", "survey_shares"):
        text = (await _json(analytics, analyst, "/v1/stats/evaluation.csv", table=table)).text
        assert text.startswith("\ufeff")
        from_csv = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
        assert len(from_csv) == len(view["tables"][table]), table
    complaints_csv = (
        await _json(analytics, analyst, "/v1/stats/evaluation.csv", table="complaints")
    ).text.lstrip("\ufeff")
    by_role = {r["role"]: r for r in csv.DictReader(io.StringIO(complaints_csv))}
    assert (by_role["treated"]["received_before"], by_role["treated"]["closed_after"]) == (
        "3",
        "2",
    )
    survey_csv = (
        await _json(analytics, analyst, "/v1/stats/evaluation.csv", table="survey")
    ).text.lstrip("\ufeff")
    first = next(
        r
        for r in csv.DictReader(io.StringIO(survey_csv))
        if (r["role"], r["item"]) == ("treated", TRUST)
    )
    assert (first["before_share"], first["after_share"]) == ("0.5357", "0.7333")
    wdd_csv = (
        await _json(analytics, analyst, "/v1/stats/evaluation.csv", table="incidents_test")
    ).text.lstrip("\ufeff")
    [wdd_row] = list(csv.DictReader(io.StringIO(wdd_csv)))
    assert (wdd_row["wdd"], wdd_row["wdd_ci_low"], wdd_row["wdd_ci_high"]) == (
        "-4.0",
        "-12.32",
        "4.32",
    )


async def _page(platform, analytics, path, role="ministry_analyst", station=None):
    token = platform.token(role, station)["Authorization"].split()[1]
    login = await analytics.post(
        "/login",
        content=f"token={token}&next=/",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert login.status_code == 303, login.text
    try:
        return await analytics.get(path)
    finally:
        analytics.cookies.clear()


@pytest.mark.parametrize("lang", ["ar", "en"])
async def test_evaluation_page_in_both_languages(world, lang):
    platform, analytics, _ = world
    query = "&".join(f"{k}={v}" for k, v in BASE.items())
    response = await _page(platform, analytics, f"/evaluation?{query}&lang={lang}")
    assert response.status_code == 200, response.text[:800]
    html = response.text
    page = numbers(html)
    assert f'lang="{lang}"' in html
    heading = {"ar": "تقييم ما قبل البرنامج وما بعده", "en": "Before/after evaluation"}[lang]
    assert heading in html
    cards = {k: as_number(v) for k, v in page.cards.items()}
    assert cards["wdd"] == -4.0 and (cards["wdd_ci_low"], cards["wdd_ci_high"]) == (-12.32, 4.32)
    assert (cards["treated_incidents_before"], cards["treated_incidents_after"]) == (6, 3)
    assert (cards["comparison_incidents_before"], cards["comparison_incidents_after"]) == (4, 5)
    complaints = {r["role"]: r for r in page.tables["complaints"]}
    assert [as_number(complaints["treated"][k]) for k in ("received_before", "closed_after")] == [
        3,
        2,
    ]
    survey = {(r["role"], r["item"]): r for r in page.tables["survey"]}
    assert as_number(survey[("comparison", TRUST)]["after_share"]) == 0.2222
    assert as_number(survey[("treated", SAFE)]["before_suppressed"]) == 2
    # the window rule is stated on the page, in the page's language
    windows = {
        "ar": "فترتان متساويتان",
        "en": "Windows of equal length",
    }[lang]
    assert windows in html and 'data-note="evaluation_windows"' in html
    assert 'data-table="incidents_test"' in html and "evaluation.csv?" in html


async def test_evaluation_without_the_incidents_service_still_counts(world):
    platform, analytics, incidents = world
    nowhere = BaselinesClient(
        httpx.AsyncClient(base_url="http://127.0.0.1:9", timeout=2), platform.settings
    )
    analytics.app.state.service_apis = {"incidents": nowhere}
    try:
        view = (await _json(analytics, platform.token("ministry_analyst"))).json()
        page = await _page(platform, analytics, "/evaluation?" + "&".join(
            f"{k}={v}" for k, v in BASE.items()
        ) + "&lang=en")  # fmt: skip
    finally:
        await nowhere.http.aclose()
        analytics.app.state.service_apis = {
            "incidents": BaselinesClient(incidents, platform.settings)
        }
    [note] = [n for n in view["notes"] if n["code"] == "evaluation_unavailable"]
    assert "unreachable" in note["detail"]
    assert view["tables"]["incidents_test"] == [] and view["summary"]["wdd"] is None
    assert _rows(view, "incidents")["treated"]["incidents_before"] == 6
    assert page.status_code == 200 and 'data-note="evaluation_unavailable"' in page.text


async def test_evaluation_refusals_name_the_parameter(world):
    platform, analytics, _ = world
    analyst = platform.token("ministry_analyst")

    async def refused(headers, status, **params):
        response = await analytics.get("/v1/stats/evaluation", params=params, headers=headers)
        assert response.status_code == status, response.text
        return response.json()["detail"]

    after_to = (START + timedelta(days=12)).isoformat()  # 13 days after, 10 before
    [error] = await refused(analyst, 422, **BASE, after_to=after_to)
    assert error["loc"] == ["query", "after_to"] and "as long as" in error["msg"]
    [error] = await refused(analyst, 422, **(BASE | {"treated": ""}))
    assert error["loc"] == ["query", "treated"]
    [error] = await refused(analyst, 422, **(BASE | {"comparison": "XX-99"}))
    assert error["loc"] == ["query", "comparison"]
    [error] = await refused(analyst, 422, **(BASE | {"start": (TODAY - timedelta(days=3))}))
    assert error["loc"] == ["query", "after_to"] and "today" in error["msg"]
    [error] = await refused(analyst, 422, **BASE, category="020101")
    assert error["loc"] == ["query", "category"]
    # a station commander: both areas their station, nothing wider
    officer = platform.token("station_officer", "AM-01-S1")
    await refused(officer, 403, **BASE)
    await refused(officer, 403, **(BASE | {"treated": "AM-01-S1"}))
    own = await _json(
        analytics, officer, **(BASE | {"treated": "AM-01-S1", "comparison": "AM-01-S1"})
    )
    view = own.json()
    assert _rows(view, "incidents")["treated"]["incidents_before"] == 4  # S1: -1, -3, -5, -9
    assert "evaluation_same_area" in {n["code"] for n in view["notes"]}
    await refused(platform.token("oversight"), 403, **BASE)
    # the page opens with suggested areas when none are chosen
    page = await _page(platform, analytics, "/evaluation?lang=en")
    assert page.status_code == 200 and 'data-note="evaluation_suggested"' in page.text


async def test_scorecard_shows_the_perceptions_of_waves_covering_the_station(world):
    platform, analytics, _ = world
    analyst = platform.token("ministry_analyst")
    period = {"from": (START - timedelta(days=10)).isoformat(), "to": TODAY.isoformat()}
    response = await analytics.get("/v1/stats/scorecard/AM-01-S1", params=period, headers=analyst)
    assert response.status_code == 200, response.text
    view = response.json()
    # AM-01-S1's cells of W1 (the district's wave) and W2 (the national one); the wave
    # closing at START-15 is before the period:
    # all: trust (4 + 8 + 6 + 5) / (10 + 12 + 8 + 7) = 23/37 = 0.6216
    #      safe (3 + 9 + 2 + 6) / (9 + 12 + 8 + 7) = 20/36 = 0.5556
    # women: trust (4 + 6) / (10 + 8) = 10/18 = 0.5556; men: (8 + 5) / (12 + 7) = 13/19 = 0.6842
    rows = {r["item"]: r for r in view["tables"]["perceptions"]}
    assert (rows[TRUST]["all_share"], rows[TRUST]["all_answered"]) == (0.6216, 37)
    assert (rows[TRUST]["female_share"], rows[TRUST]["male_share"]) == (0.5556, 0.6842)
    assert rows[SAFE]["all_share"] == 0.5556
    assert rows[TRUST]["all_suppressed"] == 0
    # Wilson 23/37: p = 0.621622; centre = (0.621622 + 3.841459/74) / (1 + 3.841459/37) =
    # (0.621622 + 0.051912) / 1.103823 = 0.610184; half = 1.959964 * sqrt(0.235208/37 +
    # 3.841459/5476) / 1.103823 = 1.959964 * sqrt(0.006357 + 0.000702) / 1.103823 = 0.149181
    # -> [0.4610, 0.7594]
    assert (rows[TRUST]["all_ci_low"], rows[TRUST]["all_ci_high"]) == pytest.approx(
        (0.4610, 0.7594), abs=1e-4
    )
    s = view["summary"]
    assert s["perceptions_waves"] == 2
    assert s["perceptions_responses"] == 37  # 10 + 12 + 8 + 7
    assert s["perceptions_trust_police_share"] == 0.6216
    # the station's own waves only (the engagement summary's): none was run at the station
    assert s["fora_survey_waves"] == 0
    # AM-01-S2: W1's suppressed cell is counted, never estimated
    other = await analytics.get("/v1/stats/scorecard/AM-01-S2", params=period, headers=analyst)
    s2 = {r["item"]: r for r in other.json()["tables"]["perceptions"]}
    assert (s2[TRUST]["all_share"], s2[TRUST]["all_suppressed"]) == (0.5, 1)  # 3/6
    csv_text = (
        await analytics.get(
            "/v1/stats/scorecard/AM-01-S1.csv",
            params=period | {"table": "perceptions"},
            headers=analyst,
        )
    ).text.lstrip("\ufeff")
    from_csv = {r["item"]: r for r in csv.DictReader(io.StringIO(csv_text))}
    assert from_csv[TRUST]["all_share"] == "0.6216"
    for lang in ("ar", "en"):
        query = f"from={period['from']}&to={period['to']}&lang={lang}"
        page = await _page(
            platform, analytics, f"/scorecard/AM-01-S1?{query}", "station_officer", "AM-01-S1"
        )
        assert page.status_code == 200, page.text[:500]
        shown = numbers(page.text)
        assert as_number(shown.cards["perceptions_trust_police_share"]) == 0.6216
        table = {r["item"]: r for r in shown.tables["perceptions"]}
        assert as_number(table[TRUST]["female_share"]) == 0.5556


def test_the_windows_are_whole_days_in_utc():
    assert day(0).date() == START and isinstance(START, date)
