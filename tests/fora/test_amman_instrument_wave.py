"""An Amman-style perception wave over HTTP: a programme's own instrument (added through the
API), 400 anonymous responses, results by gender and by a programme-defined group, and the
publication event, each share checked against the answers entered, counted by hand."""

from __future__ import annotations

import pytest

from tests.fora.helpers import Api, fora_events, running_fora

DV, ONLINE, OUTREACH = (
    "concerned_domestic_violence",
    "concerned_online_safety",
    "police_perception_improved",
)
YES_NO = [{"code": "yes", "en": "Yes", "ar": "نعم"}, {"code": "no", "en": "No", "ar": "لا"}]
INSTRUMENT = {
    "code": "amman_community_safety",
    "title_en": "Amman community safety and outreach survey",
    "title_ar": "مسح السلامة المجتمعية والتواصل في عمّان",
    "breakdowns": ["gender", "age_band"],
    "items": [
        {"code": DV, "en": "Are you concerned about domestic violence in your community?",
         "ar": "هل أنت قلق من العنف الأسري في مجتمعك؟", "scale": YES_NO, "positive": ["yes"]},
        {"code": ONLINE, "en": "Are you concerned about online safety?",
         "ar": "هل أنت قلق من السلامة على الإنترنت؟", "scale": YES_NO, "positive": ["yes"],
         "optional": True},
        {"code": OUTREACH, "en": "Has your perception of the police improved after the outreach?",
         "ar": "هل تحسنت نظرتك إلى الشرطة بعد أنشطة التواصل؟",
         "scale": [{"code": "improved", "en": "Improved", "ar": "تحسنت"},
                   {"code": "same", "en": "Stayed the same", "ar": "بقيت كما هي"},
                   {"code": "worse", "en": "Worse", "ar": "ساءت"}],
         "positive": ["improved"], "optional": True},
    ],
    "groups": [{"code": "population_group", "en": "Population group", "ar": "الفئة السكانية",
                "values": [{"code": "refugee", "en": "Refugee", "ar": "لاجئ"},
                           {"code": "host_community", "en": "Host community",
                            "ar": "المجتمع المضيف"}]}],
}  # fmt: skip

S1, S2, S3 = "AM-01-S1", "AM-01-S2", "AM-01-S3"
AGES = ("18_29", "30_44", "45_59", "60_plus")
GROUPS = ("refugee", "host_community")


def _entered() -> list[tuple[str, str, str, str, str, int]]:
    """(station, gender, age band, population group, DV answer, how many): 400 in all. Every
    combination of two stations, gender, age band and group is answered, women more often
    concerned than men; three men at a third station make the small cells."""
    rows = []
    for i, (station, gender, age, group) in enumerate(
        (st, g, a, gr) for st in (S1, S2) for g in ("female", "male") for a in AGES for gr in GROUPS
    ):
        n = 9 + (i * 7) % 7 + (i % 5)  # 9..19 a combination
        yes = (n * (5 if gender == "female" else 2)) // 10 + i % 2
        rows += [
            (station, gender, age, group, "yes", yes),
            (station, gender, age, group, "no", n - yes),
        ]
    rows.append((S3, "male", "45_59", "host_community", "yes", 3))
    rest = 400 - sum(r[-1] for r in rows)
    rows.append((S1, "female", "30_44", "refugee", "no", rest))
    return [r for r in rows if r[-1]]


ENTERED = _entered()
assert sum(row[-1] for row in ENTERED) == 400


def by_hand(gender: str) -> tuple[int, int]:
    """(answered, yes) to the domestic violence item among respondents of a gender."""
    rows = [r for r in ENTERED if r[1] == gender]
    return sum(r[-1] for r in rows), sum(r[-1] for r in rows if r[4] == "yes")


@pytest.fixture
async def fora(platform):
    async with running_fora(platform) as client:
        yield platform, client, Api(platform, client)


@pytest.mark.slow
async def test_an_amman_wave_publishes_its_own_item_by_gender_as_entered(fora):
    platform, client, api = fora
    created = await api.post("/v1/survey-instruments", INSTRUMENT)
    assert (created["code"], created["version"]) == ("amman_community_safety", 1)
    forum = await api.forum("AM-01")
    body = {"area_id": "AM-01", "forum_id": forum, "title_en": "Amman baseline",
            "title_ar": "خط الأساس في عمّان", "opens_on": "2026-10-01",
            "closes_on": "2026-11-30",
            "instrument": {"code": "amman_community_safety"}}  # fmt: skip
    wave = await api.post("/v1/surveys", body)
    assert (wave["instrument_code"], wave["instrument_version"]) == (created["code"], 1)
    assert wave["items"] == [DV, ONLINE, OUTREACH]
    wave_id = wave["wave_id"]
    for n, (station, gender, age, group, answer, count) in enumerate(ENTERED):
        for k in range(count):
            answers = {DV: answer}
            if k % 2:
                answers[OUTREACH] = "improved" if n % 3 else "same"
            body = {"area_id": station, "gender": gender, "age_band": age,
                    "groups": {"population_group": group}, "answers": answers}  # fmt: skip
            await api.post(f"/v1/surveys/{wave_id}/responses", body)

    # A required item unanswered, a group value the instrument does not define: 422.
    url = f"/v1/surveys/{wave_id}/responses"
    missing = await client.post(url, headers=api.headers, json={
        "area_id": S1, "answers": {ONLINE: "yes"}})  # fmt: skip
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == [
        "body", "answers", DV,
    ]  # fmt: skip
    stray_body = {"area_id": S1, "groups": {"population_group": "tourist"}, "answers": {DV: "no"}}
    stray = await client.post(url, headers=api.headers, json=stray_body)
    assert stray.status_code == 422 and "tourist" not in stray.text

    # --- results by gender, in Arabic: the share of the answers entered ------------------
    results = await api.get(f"/v1/surveys/{wave_id}/results", by="gender", lang="ar")
    cells = {c["gender"]: c for c in results["cells"]}
    for gender in ("female", "male"):
        answered, yes = by_hand(gender)
        [dv] = [i for i in cells[gender]["items"] if i["item"] == DV]
        assert (dv["answered"], dv["positive_share"]) == (answered, round(yes / answered, 4))
        assert dv["question"] == "هل أنت قلق من العنف الأسري في مجتمعك؟"
    by_group = await api.get(f"/v1/surveys/{wave_id}/results", by="population_group")
    refugees = next(c for c in by_group["cells"] if c["population_group"] == "refugee")
    assert refugees["responses"] == sum(r[-1] for r in ENTERED if r[3] == "refugee")
    crossed = await api.get(f"/v1/surveys/{wave_id}/results", by=["gender", "age_band"])
    assert not any(c["suppressed"] for c in crossed["cells"])  # 45 or more in each
    by_area = await api.get(f"/v1/surveys/{wave_id}/results", by=["area", "gender"])
    small = next(c for c in by_area["cells"] if (c["area"], c["gender"]) == (S3, "male"))
    assert small == {"area": S3, "gender": "male", "suppressed": True}  # 3 men
    assert sum(c["suppressed"] for c in by_area["cells"]) >= 2  # with a complement

    # --- the publication event -----------------------------------------------------------
    published = await api.post(f"/v1/surveys/{wave_id}/publish", expect=200)
    assert (published["instrument"], published["instrument_version"]) == (created["code"], 1)
    [event] = [e["data"] for e in await fora_events(platform)
               if e["type"] == "jisr.survey.results_published.v1"]  # fmt: skip
    assert event == published and event["responses"] == 400
    tables = {tuple(t["by"]): t["cells"] for t in event["tables"]}
    assert set(tables) >= {(), ("area",), ("gender",), ("population_group",), ("area", "gender")}
    for cell in tables[("gender",)]:
        answered, yes = by_hand(cell["gender"])
        [dv] = [i for i in cell["items"] if i["item"] == DV]
        assert (dv["answered"], dv["positive"]) == (answered, yes)
    area_gender = {(c["area_id"], c["gender"]): c for c in tables[("area", "gender")]}
    assert area_gender[(S3, "male")] == {
        "area_id": S3, "gender": "male", "suppressed": True, "responses": None, "items": [],
        "age_band": None, "groups": None,
    }  # fmt: skip
    assert sum(c["suppressed"] for c in area_gender.values()) >= 2
    refugee = next(
        c
        for c in tables[("population_group",)]
        if c["groups"] == [{"breakdown": "population_group", "value": "refugee"}]
    )
    assert refugee["responses"] == refugees["responses"]
    # Version 2 of the instrument leaves the wave on version 1.
    again = await api.post("/v1/survey-instruments", INSTRUMENT)
    assert again["version"] == 2
    assert (await api.get(f"/v1/survey-instruments/{created['code']}", version=1))["version"] == 1
    listed = await api.get("/v1/survey-instruments")
    assert [(i["code"], i["version"]) for i in listed][:1] == [("standard", 1)]
