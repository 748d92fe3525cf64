"""Publishing a survey wave's results: one `survey.results_published` per publication, its
tables counted by hand below, suppressed as the results endpoint suppresses them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from tests.fora.helpers import Api, fora_events, running_fora

ITEMS = ["feel_safe_after_dark", "trust_police"]
SAFE, TRUST = ITEMS
S1, S2 = "AM-01-S1", "AM-01-S2"

# (area, gender, answers, how many)
FIRST = [
    (S1, "female", {SAFE: "very_safe", TRUST: "quite_a_lot"}, 6),
    (S1, "male", {SAFE: "a_bit_unsafe", TRUST: "none_at_all"}, 4),
    (S1, "male", {SAFE: "fairly_safe"}, 3),  # trust unanswered: 4 answers in a cell of 7
    (S2, "female", {SAFE: "very_unsafe", TRUST: "a_great_deal"}, 5),
    (S2, "male", {SAFE: "very_safe", TRUST: "not_very_much"}, 2),  # a cell of 2
]
LATE = [
    (S2, "male", {SAFE: "very_safe", TRUST: "quite_a_lot"}, 3),
    (S1, None, {SAFE: "very_unsafe"}, 5),  # no gender: counted as "unknown"
]

# {by: {(area, gender): (responses, {item: (answered, positive)}) or None when suppressed}}
# The table by area and gender (the event carries the margins too, suppressed with it). An
# item whose counts are hidden is left out of its cell.
FIRST_TABLES = {
    ("area", "gender"): {
        # trust: S1 has 10 answers, shown by area; S1/male's 4 would be 10 - 6: hidden too
        (S1, "female"): (6, {SAFE: (6, 6)}),
        (S1, "male"): (7, {SAFE: (7, 3)}),  # trust: 4 answers, no count
        (S2, "female"): None,  # 5 responses, hidden with S2/male or it is 20 - 6 - 7 - 5
        (S2, "male"): None,  # 2 responses
    },
}
SECOND_TABLES = {
    ("area", "gender"): {
        (S1, "female"): (6, {SAFE: (6, 6), TRUST: (6, 6)}),
        (S1, "male"): (7, {SAFE: (7, 3)}),
        (S1, "unknown"): (5, {SAFE: (5, 0)}),
        (S2, "female"): (5, {SAFE: (5, 0), TRUST: (5, 5)}),
        (S2, "male"): (5, {SAFE: (5, 5), TRUST: (5, 3)}),
    },
}


@pytest.fixture
async def fora(platform):
    async with running_fora(platform) as client:
        yield platform, client, Api(platform, client)


async def wave(api: Api, area: str, forum: str | None, opens_on: str = "2026-10-01") -> str:
    body = {"area_id": area, "forum_id": forum, "title_en": "Autumn", "title_ar": "خريف",
            "items": ITEMS, "opens_on": opens_on, "closes_on": "2027-12-31"}  # fmt: skip
    return (await api.post("/v1/surveys", body))["wave_id"]


async def respond(api: Api, wave_id: str, rows: list[tuple]) -> None:
    for area, gender, answers, n in rows:
        for _ in range(n):
            body = {"area_id": area, "gender": gender, "answers": answers}
            await api.post(f"/v1/surveys/{wave_id}/responses", body)


def tables(data: dict) -> dict:
    """The event's tables in the shape of FIRST_TABLES."""

    def cell(c: dict):
        if c["suppressed"]:
            assert c["responses"] is None and c["items"] == []  # a hidden cell says nothing
            return None
        return c["responses"], {i["item"]: (i["answered"], i["positive"]) for i in c["items"]}

    return {
        tuple(t["by"]): {(c["area_id"], c["gender"]): cell(c) for c in t["cells"]}
        for t in data["tables"]
        if t["by"] == ["area", "gender"]
    }


def survey_events(events: list[dict]) -> list[dict]:
    return [e for e in events if e["type"] == "jisr.survey.results_published.v1"]


async def test_publishing_emits_the_counted_tables_and_again_after_late_responses(fora):
    platform, _, api = fora
    forum = await api.forum("AM-01")
    wave_id = await wave(api, "AM-01", forum)
    await respond(api, wave_id, FIRST)

    published = await api.post(f"/v1/surveys/{wave_id}/publish", expect=200)
    [event] = survey_events(await fora_events(platform))
    assert event["data"] == published  # the answer is what was published
    assert event["raw"].key == forum.encode()  # keyed by the wave's forum
    assert tables(event["data"]) == FIRST_TABLES
    wave_fields = ("wave_id", "forum_id", "area_id", "opens_on")
    assert [published[k] for k in wave_fields] == [wave_id, forum, "AM-01", "2026-10-01"]
    assert (published["responses"], published["min_cell_size"]) == (20, 5)
    stored = await platform.scalar(
        "fora", "SELECT published_at FROM survey_waves WHERE wave_id = $1", UUID(wave_id)
    )
    assert stored == datetime.fromisoformat(published["published_at"])

    await respond(api, wave_id, LATE)
    headers = api.headers | {"Idempotency-Key": "republish-1"}
    url = f"/v1/surveys/{wave_id}/publish"
    again = await api.client.post(url, headers=headers)
    replay = await api.client.post(url, headers=headers)
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.json() == again.json()

    first, second = survey_events(await fora_events(platform))  # the replay published nothing
    assert tables(first["data"]) == FIRST_TABLES
    assert tables(second["data"]) == SECOND_TABLES and second["data"]["responses"] == 28
    assert second["data"] == again.json()
    assert datetime.fromisoformat(second["data"]["published_at"]) > stored


async def test_publishing_needs_scope_and_an_open_wave_and_keys_by_area_without_forum(fora):
    platform, client, api = fora
    forum = await api.forum("AM-01")
    wave_id = await wave(api, "AM-01", forum)
    await respond(api, wave_id, FIRST[:1])
    url = f"/v1/surveys/{wave_id}/publish"
    elsewhere = platform.token("station_officer", station="AM-02-S1")
    response = await client.post(f"/v1/surveys/{wave_id}/responses", headers=elsewhere,
                                 json={"area_id": S1, "answers": {SAFE: "very_safe"}})  # fmt: skip
    assert response.status_code == 404  # as for responses: another scope's wave is not there
    assert (await client.post(url, headers=elsewhere)).status_code == 404
    analyst = platform.token("ministry_analyst")
    assert (await client.post(url, headers=analyst)).status_code == 403
    assert (await client.post(url)).status_code == 401

    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    future = await wave(api, "AM-01", forum, opens_on=tomorrow)
    [error] = (await api.post(f"/v1/surveys/{future}/publish", expect=422))["detail"]
    assert error["loc"] == ["body", "opens_on"] and tomorrow in error["msg"]
    await api.post("/v1/surveys/0190a4b4-0000-7000-8000-000000000000/publish", expect=404)

    no_forum = await wave(api, "AM-02", None)
    await respond(api, no_forum, [("AM-02-S1", "female", {SAFE: "very_safe"}, 5)])
    await api.post(f"/v1/surveys/{no_forum}/publish", expect=200)
    [event] = survey_events(await fora_events(platform))  # nothing from the refused calls
    assert event["raw"].key == b"AM-02" and event["data"]["forum_id"] is None
    [table] = [t for t in event["data"]["tables"] if t["by"] == ["area", "gender"]]
    assert table["cells"] == [{"area_id": "AM-02-S1", "gender": "female", "suppressed": False,
        "responses": 5, "items": [{"item": SAFE, "answered": 5, "positive": 5}],
        "age_band": None, "groups": None}]  # fmt: skip


async def test_a_wave_without_forum_is_in_the_scope_of_its_area(fora):
    platform, client, api = fora
    amman = platform.token("station_officer", station="AM-01-S1")
    irbid = platform.token("station_officer", station="IR-01-S1")
    body = {"area_id": "AM-01", "title_en": "District", "title_ar": "لواء",
            "items": ITEMS, "opens_on": "2026-10-01", "closes_on": "2027-12-31"}  # fmt: skip
    refused = await client.post("/v1/surveys", json=body, headers=irbid)
    assert refused.status_code == 403
    created = await client.post("/v1/surveys", json=body, headers=amman)
    assert created.status_code == 201, created.text
    wave_id = created.json()["wave_id"]

    answer = {"area_id": "AM-01-S1", "gender": "female", "answers": {SAFE: "very_safe"}}
    url = f"/v1/surveys/{wave_id}"
    assert (await client.post(f"{url}/responses", json=answer, headers=irbid)).status_code == 404
    assert (await client.post(f"{url}/publish", headers=irbid)).status_code == 404
    assert (await client.post(f"{url}/responses", json=answer, headers=amman)).status_code == 201
    assert (await client.post(f"{url}/publish", headers=amman)).status_code == 200
    await api.post(f"{url}/publish", expect=200)  # a coordinator is not station-scoped
