"""The packaged Jordan reference set and loading a ministry's own directory."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

from libs.reference.loader import DEFAULT_DIR, generate_demo_stations, load_reference

ARABIC = re.compile(r"[\u0600-\u06FF]")


@pytest.fixture(scope="module")
def ref():
    return load_reference(DEFAULT_DIR)


def _iccs_rows() -> list[dict[str, str]]:
    with (DEFAULT_DIR / "iccs.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_counts(ref):
    assert len(ref.governorates) == 12
    assert len(ref.districts) == 51
    rows = _iccs_rows()
    assert len(ref.iccs) == len(rows)
    levels = defaultdict(int)
    for category in ref.iccs.values():
        levels[category.level] += 1
    assert levels[1] == 11
    assert levels[2] == sum(1 for row in rows if row["level"] == "2")
    assert ref.iccs["0101"].parent == "01"
    assert ref.is_valid_iccs("0101") and not ref.is_valid_iccs("9999")


def test_every_district_has_a_station(ref):
    covered = {s.district_code for s in ref.stations.values()}
    assert covered == set(ref.districts)
    assert all(1 <= _count(ref, d) <= 4 for d in ref.districts)


def _count(ref, district_code: str) -> int:
    return sum(1 for s in ref.stations.values() if s.district_code == district_code)


def test_district_populations_sum_to_governorate_total(ref):
    totals = defaultdict(int)
    for district in ref.districts.values():
        assert district.population > 0
        totals[district.governorate_code] += district.population
    assert totals == {code: g.population for code, g in ref.governorates.items()}


def test_published_populations_are_not_marked_estimated(ref):
    assert ref.districts["AM-01"].population == 855955
    assert not ref.districts["AM-01"].population_estimated
    assert not ref.districts["AJ-02"].population_estimated
    assert ref.districts["BA-01"].population_estimated


def test_population_levels(ref):
    assert ref.population("district", "JA-01") == 237059
    assert ref.population("governorate", "AM") == 4007526
    national = ref.population("national", "JO")
    assert national == sum(g.population for g in ref.governorates.values())
    with pytest.raises(ValueError, match="station"):
        ref.population("station", "AM-01-S1")
    with pytest.raises(KeyError, match="XX"):
        ref.population("governorate", "XX")


def test_station_ids_are_deterministic(ref):
    again = generate_demo_stations(ref.districts)
    assert again == ref.stations
    assert "AM-01-S1" in ref.stations
    assert all(re.fullmatch(r"[A-Z]{2}-\d{2}-S[1-4]", sid) for sid in ref.stations)
    station = ref.station("AM-01-S1")
    assert station.name_en == "Qasabat Amman Police Station 1"
    assert station.name_ar == "مركز أمن قصبة عمان 1"


def test_area_chain(ref):
    assert ref.area_chain("IR-04-S1") == {
        "station": "IR-04-S1",
        "district": "IR-04",
        "governorate": "IR",
        "national": "JO",
    }


def test_arabic_titles_present(ref):
    for category in ref.iccs.values():
        assert ARABIC.search(category.title_ar), category.code
    for area in [*ref.governorates.values(), *ref.districts.values()]:
        assert ARABIC.search(area.name_ar), area.code
    assert ref.iccs_title("0101", "ar") == "القتل العمد"
    assert ref.iccs_title("0101") == "Intentional homicide"


def test_unknown_station_gives_a_clear_error(ref):
    with pytest.raises(KeyError, match="unknown station 'ZZ-99-S9'"):
        ref.station("ZZ-99-S9")


def test_loading_is_cached(ref):
    assert load_reference(DEFAULT_DIR) is ref
    assert load_reference() is ref


def _write(path: Path, header: str, *rows: str) -> None:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


@pytest.fixture
def country(tmp_path: Path) -> Path:
    _write(
        tmp_path / "iccs.csv",
        "code,level,parent,title_en,title_ar",
        "01,1,,Acts leading to death,أفعال مؤدية إلى الوفاة",
        "0101,2,01,Intentional homicide,القتل العمد",
    )
    _write(
        tmp_path / "geography.csv",
        "governorate_code,governorate_en,governorate_ar,district_code,district_en,district_ar,"
        "population",
        "NO,North,الشمال,,,,1001",
        "NO,North,الشمال,NO-01,Hills,التلال,500",
        "NO,North,الشمال,NO-02,Coast,الساحل,",
        "NO,North,الشمال,NO-03,Plain,السهل,",
    )
    _write(
        tmp_path / "stations.csv",
        "id,name_en,name_ar,district_code",
        "N-HQ,Hills Central,مركز التلال,NO-01",
        "N-C1,Coast Post,مخفر الساحل,NO-02",
    )
    return tmp_path


def test_custom_directory_replaces_the_default(country):
    ref = load_reference(country)
    assert set(ref.governorates) == {"NO"}
    assert set(ref.stations) == {"N-HQ", "N-C1"}
    assert ref.area_chain("N-C1")["governorate"] == "NO"
    assert [ref.districts[c].population for c in ("NO-01", "NO-02", "NO-03")] == [500, 251, 250]
    assert ref.districts["NO-03"].population_estimated
    assert len(ref.iccs) == 2
    with pytest.raises(KeyError, match="AM-01-S1"):
        ref.station("AM-01-S1")


def test_env_variable_selects_the_directory(country, monkeypatch):
    monkeypatch.setenv("JISR_REFERENCE_DIR", str(country))
    assert set(load_reference().governorates) == {"NO"}


def test_custom_directory_without_stations_generates_demo_ones(country):
    (country / "stations.csv").unlink()
    ref = load_reference(country)
    assert set(ref.stations) == {"NO-01-S1", "NO-02-S1", "NO-03-S1"}


def test_stations_in_unknown_districts_are_rejected(country):
    _write(country / "stations.csv", "id,name_en,name_ar,district_code", "X,X,س,ZZ-01")
    with pytest.raises(ValueError, match="ZZ-01"):
        load_reference(country)


def test_districts_exceeding_the_governorate_total_are_rejected(country):
    text = (country / "geography.csv").read_text(encoding="utf-8")
    (country / "geography.csv").write_text(text.replace(",500", ",5000"), encoding="utf-8")
    with pytest.raises(ValueError, match="governorate total"):
        load_reference(country)
