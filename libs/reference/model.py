"""Reference data every service shares: crime classification, geography, police stations.

The values are plain frozen dataclasses so that a ministry can swap the whole set for its own
country (see `libs.reference.loader`) without any service noticing. Codes are strings
everywhere: ICCS codes keep their leading zeros ("0101"), areas use ISO-like codes ("AM",
"AM-01") and stations ids derived from them ("AM-01-S1").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

AreaLevel = Literal["district", "governorate", "national"]
Lang = Literal["en", "ar"]


@dataclass(frozen=True)
class IccsCategory:
    """One ICCS section (level 1, e.g. "01") or division (level 2, e.g. "0101")."""

    code: str
    level: int
    parent: str | None
    title_en: str
    title_ar: str


@dataclass(frozen=True)
class CrosswalkEntry:
    """A national offence code and the ICCS division it maps to, in one crosswalk version."""

    national_code: str
    iccs_code: str
    version: str
    title_en: str
    title_ar: str


@dataclass(frozen=True)
class Governorate:
    code: str
    name_en: str
    name_ar: str
    population: int


@dataclass(frozen=True)
class District:
    """A district (liwa'). `population_estimated` is True when the figure is an even split of
    the governorate remainder rather than a published number, so rates can say so."""

    code: str
    governorate_code: str
    name_en: str
    name_ar: str
    population: int
    population_estimated: bool = False


@dataclass(frozen=True)
class Station:
    id: str
    name_en: str
    name_ar: str
    district_code: str
    governorate_code: str


@dataclass(frozen=True)
class Term:
    """One value of a vocabulary: a code (what APIs and events carry), its labels, and the
    vocabulary's own attributes (a meeting kind's quorum rule, say) as strings."""

    code: str
    label_en: str
    label_ar: str
    attributes: Mapping[str, str] = field(default_factory=dict)

    def label(self, lang: Lang) -> str:
        return self.label_en if lang == "en" else self.label_ar


@dataclass(frozen=True)
class Vocabulary:
    """The codes of one kind of thing (member groups, activity kinds, ...), in file order."""

    name: str
    terms: Mapping[str, Term]

    def __contains__(self, code: object) -> bool:
        return code in self.terms

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.terms)

    def label(self, code: str, lang: Lang = "en") -> str:
        """The label, or the code itself for a value no longer in the vocabulary (old
        records keep their codes when a country retires a value)."""
        term = self.terms.get(code)
        return code if term is None else term.label(lang)

    def attribute(self, code: str, name: str, default: str = "") -> str:
        term = self.terms.get(code)
        return default if term is None else term.attributes.get(name, default)


@dataclass(frozen=True)
class Reference:
    """The loaded reference set. Treat the dicts as read-only: one instance is cached and
    shared by the whole process."""

    iccs: dict[str, IccsCategory]
    governorates: dict[str, Governorate]
    districts: dict[str, District]
    stations: dict[str, Station]
    national_code: str = field(default="JO")
    crosswalk: dict[str, CrosswalkEntry] = field(default_factory=dict)
    vocabularies: dict[str, Vocabulary] = field(default_factory=dict)
    national_name_en: str = "Jordan"
    national_name_ar: str = "الأردن"

    def vocabulary(self, name: str) -> Vocabulary:
        """A vocabulary by name (`member_groups`, `activity_kinds`, `audiences`,
        `meeting_kinds`, `forum_origins`, `concern_categories`); KeyError naming it."""
        try:
            return self.vocabularies[name]
        except KeyError:
            raise KeyError(f"no vocabulary {name!r} in the reference set") from None

    def station(self, station_id: str) -> Station:
        """The station, or a KeyError that names the id (callers turn it into a 4xx)."""
        try:
            return self.stations[station_id]
        except KeyError:
            raise KeyError(
                f"unknown station {station_id!r} ({len(self.stations)} stations known)"
            ) from None

    def iccs_title(self, code: str, lang: Lang = "en") -> str:
        """The category title in English or Arabic."""
        if lang not in ("en", "ar"):
            raise ValueError(f"unsupported language {lang!r}: use 'en' or 'ar'")
        try:
            category = self.iccs[code]
        except KeyError:
            raise KeyError(f"unknown ICCS code {code!r}") from None
        return category.title_en if lang == "en" else category.title_ar

    def is_valid_iccs(self, code: str) -> bool:
        return code in self.iccs

    def iccs_ancestors(self, code: str) -> list[str]:
        """The code and every parent up to its section: "0501" -> ["0501", "05"]."""
        chain = []
        category = self.iccs.get(code)
        while category is not None:
            chain.append(category.code)
            category = self.iccs.get(category.parent) if category.parent else None
        return chain

    def areas_above(self, area_id: str) -> dict[str, str]:
        """The area and every area above it, by level ("AM-01" -> district, governorate,
        national); KeyError for an unknown id."""
        level = self.area_level(area_id)
        if level == "station":
            return self.area_chain(area_id)
        if level == "district":
            district = self.districts[area_id]
            return {
                "district": area_id,
                "governorate": district.governorate_code,
                "national": self.national_code,
            }
        if level == "governorate":
            return {"governorate": area_id, "national": self.national_code}
        return {"national": area_id}

    def stations_in(self, area_id: str) -> list[str]:
        """The stations an area is made of (a station is made of itself), sorted."""
        level = self.area_level(area_id)
        if level == "national":
            return sorted(self.stations)
        if level == "station":
            return [area_id]
        attribute = "district_code" if level == "district" else "governorate_code"
        return sorted(s.id for s in self.stations.values() if getattr(s, attribute) == area_id)

    def areas_within(self, area_id: str) -> frozenset[str]:
        """The area and every area inside it ("AM" -> AM, its districts and their stations),
        so a scope can be a condition of a query; KeyError for an unknown id."""
        level = self.area_level(area_id)
        if level == "national":
            return frozenset({area_id, *self.governorates, *self.districts, *self.stations})
        if level == "station":
            return frozenset({area_id})
        attribute = "district_code" if level == "district" else "governorate_code"
        stations = {s.id for s in self.stations.values() if getattr(s, attribute) == area_id}
        districts = (
            {d.code for d in self.districts.values() if d.governorate_code == area_id}
            if level == "governorate"
            else set()
        )
        return frozenset({area_id, *districts, *stations})

    def area_level(self, area_id: str) -> AreaLevel | Literal["station"]:
        """Which level an area id names; KeyError for an unknown id."""
        if area_id == self.national_code:
            return "national"
        for level, areas in (
            ("governorate", self.governorates),
            ("district", self.districts),
            ("station", self.stations),
        ):
            if area_id in areas:
                return level  # type: ignore[return-value]
        raise KeyError(
            f"unknown area {area_id!r}: a station, district, governorate or {self.national_code!r}"
        )

    def population(self, level: AreaLevel, area_id: str) -> int:
        """Population for rates per 100,000. Stations have none: use their district."""
        if level == "national":
            if area_id != self.national_code:
                raise KeyError(f"unknown national area {area_id!r}: use {self.national_code!r}")
            return sum(g.population for g in self.governorates.values())
        areas: Mapping[str, District] | Mapping[str, Governorate] | None = (
            self.districts
            if level == "district"
            else self.governorates
            if level == "governorate"
            else None
        )
        if areas is None:
            raise ValueError(
                f"no population for level {level!r}: use district, governorate or national"
            )
        try:
            return areas[area_id].population
        except KeyError:
            raise KeyError(f"unknown {level} {area_id!r}") from None

    def area_chain(self, station_id: str) -> dict[str, str]:
        """Every area a station rolls up into, for tagging events and aggregating counts."""
        station = self.station(station_id)
        return {
            "station": station.id,
            "district": station.district_code,
            "governorate": station.governorate_code,
            "national": self.national_code,
        }
