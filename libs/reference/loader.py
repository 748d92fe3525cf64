"""Load a country's reference set from a directory of CSV files.

The packaged default (`libs/reference/data`) is Jordan; a ministry points JISR_REFERENCE_DIR
(or the `directory` argument) at its own directory with the same files:

- `iccs.csv` — code,level,parent,title_en,title_ar[,source]
- `geography.csv` (or `jordan_geography.csv`) — governorate_code,governorate_en,governorate_ar,
  district_code,district_en,district_ar,population[,...]; governorate rows have an empty
  district_code and carry the governorate total.
- `stations.csv` (optional) — id,name_en,name_ar,district_code.
- `crosswalk.csv` (optional) — national_code,iccs_code,version,title_en,title_ar: the national
  offence codes and the ICCS division each maps to. The packaged file holds DEMO codes
  ("DEMO-THF-01"), not a real penal code; a ministry supplies its own.
- `country.csv` (optional) — national_code,name_en,name_ar: the code of the national level
  ("JO" by default, "IQ" for Iraq).
- `vocabularies/<name>.csv` (optional, each) — code,label_en,label_ar[,attributes...]: the
  codes fora work with (VOCABULARIES below). A file in the country's directory replaces the
  packaged one of that name; a vocabulary it lacks keeps the packaged values. Adding a value is
  editing a file: codes are stored as short strings, never database enums.

`iccs.csv` too may be left out of a country's directory: the packaged ICCS is used.

Two gaps are filled, and both are visible to callers:

- District populations missing from the file are estimated: the governorate total minus the
  districts with a published figure is split evenly across the districts without one (the
  integer remainder goes one person each to the first districts, so the district sum equals
  the governorate total exactly). Those districts carry `population_estimated=True`.
- Without `stations.csv`, stations are DEMO DATA generated deterministically: per district one
  station per ~150,000 people (rounded, clamped to 1..4), ids "<district>-S<n>" such as
  "AM-01-S1", named "<district> Police Station <n>" / "مركز أمن <district> <n>". They are not
  real police stations.
"""

from __future__ import annotations

import csv
import os
import re
from functools import lru_cache
from pathlib import Path

from libs.reference.model import (
    CrosswalkEntry,
    District,
    Governorate,
    IccsCategory,
    Reference,
    Station,
    Term,
    Vocabulary,
)

DEFAULT_DIR = Path(__file__).parent / "data"
#: The vocabularies every reference set has (packaged defaults in data/vocabularies/).
VOCABULARIES = (
    "member_groups",
    "activity_kinds",
    "audiences",
    "meeting_kinds",
    "forum_origins",
    "concern_categories",
)
#: A code as APIs and events carry it (libs.contracts.base.CODE_PATTERN).
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
GEOGRAPHY_FILES = ("geography.csv", "jordan_geography.csv")
PEOPLE_PER_DEMO_STATION = 150_000
MAX_DEMO_STATIONS = 4


def load_reference(directory: Path | str | None = None) -> Reference:
    """The reference set in `directory`, else JISR_REFERENCE_DIR, else the packaged default.

    Cached per resolved directory: the files are read once per process.
    """
    chosen = directory or os.environ.get("JISR_REFERENCE_DIR") or DEFAULT_DIR
    return _load(_resolved(str(chosen)))


@lru_cache(maxsize=8)
def _resolved(directory: str) -> Path:
    # Routes call load_reference() per request: resolving the path (a stat per component)
    # was 5% of a single POST's event-loop time in `jisr bench http`.
    return Path(directory).resolve()


@lru_cache(maxsize=8)
def _load(directory: Path) -> Reference:
    if not directory.is_dir():
        raise FileNotFoundError(f"reference directory {directory} does not exist")
    iccs_file = directory / "iccs.csv"
    iccs = _load_iccs(iccs_file if iccs_file.exists() else DEFAULT_DIR / "iccs.csv")
    governorates, districts = _load_geography(_geography_file(directory))
    stations_file = directory / "stations.csv"
    if stations_file.exists():
        stations = _load_stations(stations_file, districts)
    else:
        stations = generate_demo_stations(districts)
    crosswalk_file = directory / "crosswalk.csv"
    crosswalk = _load_crosswalk(crosswalk_file, iccs) if crosswalk_file.exists() else {}
    country = _load_country(directory / "country.csv")
    return Reference(
        iccs=iccs,
        governorates=governorates,
        districts=districts,
        stations=stations,
        crosswalk=crosswalk,
        vocabularies=load_vocabularies(directory),
        **country,
    )


def _load_country(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    rows = _read_rows(path, {"national_code", "name_en", "name_ar"})
    if len(rows) != 1:
        raise ValueError(f"{path.name}: one row expected, found {len(rows)}")
    row = rows[0]
    return {
        "national_code": row["national_code"],
        "national_name_en": row["name_en"],
        "national_name_ar": row["name_ar"],
    }


def load_vocabularies(directory: Path) -> dict[str, Vocabulary]:
    """Each vocabulary from `directory/vocabularies/`, else the packaged one."""
    vocabularies = {}
    for name in VOCABULARIES:
        path = directory / "vocabularies" / f"{name}.csv"
        if not path.exists():
            path = DEFAULT_DIR / "vocabularies" / f"{name}.csv"
        vocabularies[name] = _load_vocabulary(name, path)
    return vocabularies


def _load_vocabulary(name: str, path: Path) -> Vocabulary:
    rows = _read_rows(path, {"code", "label_en", "label_ar"})
    terms: dict[str, Term] = {}
    for row in rows:
        code = row["code"]
        if not CODE_RE.match(code):
            raise ValueError(f"{path.name}: {code!r} is not a code (lower snake case, <= 32)")
        if code in terms:
            raise ValueError(f"{path.name}: duplicate code {code!r}")
        if not (row["label_en"] and row["label_ar"]):
            raise ValueError(f"{path.name}: {code!r} needs an English and an Arabic label")
        extra = {k: v for k, v in row.items() if k not in {"code", "label_en", "label_ar"}}
        terms[code] = Term(code, row["label_en"], row["label_ar"], extra)
    if not terms:
        raise ValueError(f"{path.name}: the vocabulary {name!r} is empty")
    return Vocabulary(name, terms)


def _read_rows(path: Path, required: set[str]) -> list[dict[str, str]]:
    """Rows as dicts with stripped values; fails early when a column is missing."""
    if not path.exists():
        raise FileNotFoundError(f"reference file {path} is missing")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = required - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path.name}: missing columns {sorted(missing)}")
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _load_iccs(path: Path) -> dict[str, IccsCategory]:
    rows = _read_rows(path, {"code", "level", "parent", "title_en", "title_ar"})
    categories = {
        row["code"]: IccsCategory(
            code=row["code"],
            level=int(row["level"]),
            parent=row["parent"] or None,
            title_en=row["title_en"],
            title_ar=row["title_ar"],
        )
        for row in rows
    }
    orphans = [c.code for c in categories.values() if c.parent and c.parent not in categories]
    if orphans:
        raise ValueError(f"{path.name}: categories with unknown parent: {orphans}")
    return categories


def _load_crosswalk(path: Path, iccs: dict[str, IccsCategory]) -> dict[str, CrosswalkEntry]:
    rows = _read_rows(path, {"national_code", "iccs_code", "version", "title_en", "title_ar"})
    unknown = sorted({row["iccs_code"] for row in rows} - iccs.keys())
    if unknown:
        raise ValueError(f"{path.name}: national codes map to unknown ICCS codes {unknown}")
    return {
        row["national_code"]: CrosswalkEntry(
            national_code=row["national_code"],
            iccs_code=row["iccs_code"],
            version=row["version"],
            title_en=row["title_en"],
            title_ar=row["title_ar"],
        )
        for row in rows
    }


def _geography_file(directory: Path) -> Path:
    for name in GEOGRAPHY_FILES:
        if (directory / name).exists():
            return directory / name
    raise FileNotFoundError(f"{directory} holds none of {', '.join(GEOGRAPHY_FILES)}")


def _load_geography(path: Path) -> tuple[dict[str, Governorate], dict[str, District]]:
    columns = {"governorate_code", "governorate_en", "governorate_ar", "district_code"}
    columns |= {"district_en", "district_ar", "population"}
    rows = _read_rows(path, columns)
    governorates = {
        row["governorate_code"]: _governorate(row, path) for row in rows if not row["district_code"]
    }
    district_rows = [row for row in rows if row["district_code"]]
    districts: dict[str, District] = {}
    for governorate in governorates.values():
        own = [row for row in district_rows if row["governorate_code"] == governorate.code]
        districts.update(_districts_of(governorate, own, path))
    strays = {row["district_code"] for row in district_rows} - districts.keys()
    if strays:
        raise ValueError(f"{path.name}: districts without a governorate row: {sorted(strays)}")
    return governorates, districts


def _governorate(row: dict[str, str], path: Path) -> Governorate:
    """A governorate row; its total is required because district estimates derive from it."""
    population = _int(row["population"], path, row["governorate_code"])
    if population is None:
        raise ValueError(f"{path.name}: governorate {row['governorate_code']} has no population")
    return Governorate(
        code=row["governorate_code"],
        name_en=row["governorate_en"],
        name_ar=row["governorate_ar"],
        population=population,
    )


def _districts_of(
    governorate: Governorate, rows: list[dict[str, str]], path: Path
) -> dict[str, District]:
    """The governorate's districts, with missing populations split evenly (see module doc)."""
    given = {r["district_code"]: _int(r["population"], path, r["district_code"]) for r in rows}
    known = {code: pop for code, pop in given.items() if pop is not None}
    unknown = [r["district_code"] for r in rows if r["district_code"] not in known]
    remainder = governorate.population - sum(known.values())
    if remainder < 0 or (remainder and not unknown):
        raise ValueError(
            f"{path.name}: districts of {governorate.code} sum to {sum(known.values())}, "
            f"the governorate total is {governorate.population}"
        )
    share, extra = divmod(remainder, len(unknown)) if unknown else (0, 0)
    estimates = {code: share + (1 if i < extra else 0) for i, code in enumerate(unknown)}
    return {
        r["district_code"]: District(
            code=r["district_code"],
            governorate_code=governorate.code,
            name_en=r["district_en"],
            name_ar=r["district_ar"],
            population=known.get(r["district_code"], estimates.get(r["district_code"], 0)),
            population_estimated=r["district_code"] in estimates,
        )
        for r in rows
    }


def _int(value: str, path: Path, what: str) -> int | None:
    if not value:
        return None
    try:
        return int(value.replace(",", "").replace("_", ""))
    except ValueError:
        raise ValueError(f"{path.name}: population {value!r} of {what} is not a number") from None


def _load_stations(path: Path, districts: dict[str, District]) -> dict[str, Station]:
    rows = _read_rows(path, {"id", "name_en", "name_ar", "district_code"})
    unknown = sorted({r["district_code"] for r in rows} - districts.keys())
    if unknown:
        raise ValueError(f"{path.name}: stations in unknown districts {unknown}")
    stations = {
        r["id"]: Station(
            id=r["id"],
            name_en=r["name_en"],
            name_ar=r["name_ar"],
            district_code=r["district_code"],
            governorate_code=districts[r["district_code"]].governorate_code,
        )
        for r in rows
    }
    if len(stations) != len(rows):
        raise ValueError(f"{path.name}: duplicate station ids")
    return stations


def generate_demo_stations(districts: dict[str, District]) -> dict[str, Station]:
    """Plausible, deterministic DEMO stations (see module doc); not real police stations."""
    stations: dict[str, Station] = {}
    for district in districts.values():
        count = round(district.population / PEOPLE_PER_DEMO_STATION)
        for n in range(1, min(max(count, 1), MAX_DEMO_STATIONS) + 1):
            station = Station(
                id=f"{district.code}-S{n}",
                name_en=f"{district.name_en} Police Station {n}",
                name_ar=f"مركز أمن {district.name_ar} {n}",
                district_code=district.code,
                governorate_code=district.governorate_code,
            )
            stations[station.id] = station
    return stations
