"""Issue 13, done when: 43 Community Policing Fora across Iraq, on an Iraqi reference set
(JISR_REFERENCE_DIR), 30 established by a programme (IOM) and 13 by the police, with members
of the country's own groups, 20 trainings and 5 workshops reaching 1,100 people — recorded
without a 422 and reported by origin, kind and audience, over HTTP as a programme would."""

from __future__ import annotations

import pytest

from libs.reference import load_reference
from libs.reference.loader import DEFAULT_DIR
from tests.fora.helpers import Api, running_fora

IRAQ = DEFAULT_DIR / "iraq"


@pytest.mark.slow
async def test_forty_three_iraqi_fora_and_their_trainings_reported_by_origin(platform, monkeypatch):
    monkeypatch.setenv("JISR_REFERENCE_DIR", str(IRAQ))
    reference = load_reference()
    districts = sorted(reference.districts)
    stations = sorted(reference.stations)
    async with running_fora(platform) as client:
        api = Api(platform, client)
        # 30 IOM-established district fora and 13 fora the police set up at their stations.
        places = [(d, "programme_ngo") for d in districts[:30]]
        places += [(s, "police") for s in stations[::16][:13]]
        assert len(places) == 43
        fora: dict[str, tuple[str, str]] = {}
        for area, origin in places:
            extra = {"origin_programme": "iom"} if origin == "programme_ngo" else {}
            forum = await api.forum(
                area, forum_type="community_police_forum", origin=origin, **extra
            )
            fora[forum] = (area, origin)
            for role, group, gender in (
                ("chair", "mukhtar", "male"),  # groups only Iraq's set has
                ("vice_chair", "returnees", "female"),
                ("community_representative", "judiciary" if origin == "police" else "media",
                 "female"),
            ):  # fmt: skip
                await api.member(forum, role, group, gender)

        ids = list(fora)
        for n in range(25):
            forum = ids[n % 43] if n < 20 else ids[30 + n - 20]  # workshops: police fora
            kind, count = ("training", 40) if n < 20 else ("workshop", 60)
            audience = "police_officers" if n % 2 else "community_members"
            await api.post("/v1/activities", {
                "kind": kind, "audience": audience, "forum_id": forum, "area_id": fora[forum][0],
                "title_en": f"{kind} {n}", "title_ar": "تدريب", "held_on": "2026-10-15",
                "participants": [{"count": count // 2, "gender": "female", "group": "returnees"},
                                 {"count": count - count // 2, "gender": "male"}],
                "direct_beneficiaries": count,
            })  # fmt: skip

        assert len(await api.get("/v1/fora")) == 43
        assert len(await api.get("/v1/fora", origin="police")) == 13
        assert len(await api.get("/v1/fora", origin="programme_ngo")) == 30
        report = await api.get("/v1/activities/report", area_id="IQ", **{
            "from": "2026-10-01", "to": "2026-12-31"})  # fmt: skip
        assert report["activities"] == 25 and report["participants"] == 1100
        assert report["by_kind"] == {"training": 20, "workshop": 5}
        assert report["participants_by_kind"] == {"training": 800, "workshop": 300}
        # The trainings ran in IOM-established fora, the workshops in police ones.
        assert report["by_origin"] == {"police": 5, "programme_ngo": 20}
        assert report["participants_by_origin"] == {"police": 300, "programme_ngo": 800}
        assert report["by_audience"] == {"community_members": 13, "police_officers": 12}
        assert sum(report["participants_by_audience"].values()) == 1100
        assert report["participants_by_group"]["returnees"] == 550

        # A coordinator of one governorate sees its own fora and activities only.
        governorate = reference.districts[fora[ids[0]][0]].governorate_code
        local = Api(platform, client, governorate=governorate)
        mine = await local.get("/v1/fora")
        expected = {f for f, (area, _) in fora.items() if area.split("-")[0] == governorate}
        assert {f["forum_id"] for f in mine} == expected and 0 < len(expected) < 43
        other = next(g for g in sorted(reference.governorates) if g != governorate)
        period = {"from": "2026-10-01", "to": "2026-12-31"}
        await local.get("/v1/activities/report", expect=403, area_id=other, **period)
        own = await local.get("/v1/activities/report", area_id=governorate, **period)
        assert 0 < own["activities"] < 25
        vocab = {v["name"]: v for v in await api.get("/v1/vocabularies")}
        assert "mukhtar" in {t["code"] for t in vocab["member_groups"]["terms"]}
