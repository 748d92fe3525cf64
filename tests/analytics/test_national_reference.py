"""The country comes from the reference set (JISR_REFERENCE_DIR): with the Iraq example set the
public report's national row is IQ / Iraq, analytics' national area is IQ (JO is unknown), and
`jisr up` suggests a station of that set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jisr.commands.stack import LocalStack
from libs.reference import load_reference
from tests.support.incidents import equals, facts
from tests.support.platform import eventually

IRAQ = Path(__file__).resolve().parents[2] / "libs" / "reference" / "data" / "iraq"


@pytest.fixture
def iraq(monkeypatch):
    monkeypatch.setenv("JISR_REFERENCE_DIR", str(IRAQ))
    reference = load_reference()
    assert reference.national_code == "IQ"
    return reference


def _last_month() -> tuple[str, str]:
    first = datetime.now(UTC).date().replace(day=1)
    day = first - timedelta(days=10)
    return day.strftime("%Y-%m"), f"{day.isoformat()}T10:00:00+03:00"


async def test_public_report_and_national_area_come_from_the_reference_set(platform, iraq):
    station = sorted(iraq.stations)[0]
    month, occurred = _last_month()
    await platform.migrate("incidents", "analytics")
    officer = platform.token("station_officer", station=station)
    analyst = platform.token("ministry_analyst")
    async with platform.run("incidents") as incidents, platform.run("analytics") as analytics:
        body = {"station_id": station, "occurred_at": occurred, "offences": [{"iccs_code": "0201"}]}
        posted = await incidents.post("/v1/incidents", json=body, headers=officer)
        assert posted.status_code == 201, posted.text
        await eventually(lambda: equals(facts(platform), 1))

        report = await analytics.get("/public/report", params={"month": month, "format": "json"})
        assert report.status_code == 200, report.text
        total = report.json()["total"]
        named = (total["governorate"], total["name_en"], total["name_ar"])
        assert named == ("IQ", "Iraq", "العراق")
        assert {row["governorate"] for row in report.json()["rows"]} == set(iraq.governorates)

        national = await analytics.get("/v1/stats/crime", params={"area": "IQ"}, headers=analyst)
        assert national.status_code == 200, national.text
        jordan = await analytics.get("/v1/stats/crime", params={"area": "JO"}, headers=analyst)
        assert jordan.status_code == 422, jordan.text
        governorates = await analytics.get(
            "/v1/stats/incidents", params={"group_by": "governorate"}, headers=analyst
        )
        assert governorates.status_code == 200, governorates.text
        rows = {row["key"]: row["count"] for row in governorates.json()["rows"]}
        assert rows == {iraq.stations[station].governorate_code: 1}


def test_the_banner_suggests_a_station_of_the_loaded_set(iraq, tmp_path, capsys):
    stack = LocalStack(tmp_path, {"complaints": 1, "fora": 2, "incidents": 3, "analytics": 4}, 5)
    stack.env |= {"JISR_DATABASE_URL": "postgresql://x/y", "JISR_KAFKA_BOOTSTRAP": "127.0.0.1:5"}
    stack.print_banner()
    banner = capsys.readouterr().out
    assert f"--station {sorted(iraq.stations)[0]}" in banner
    assert "AM-01-S1" not in banner
