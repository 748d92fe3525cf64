"""Reference data every service shares: crime classification, geography, police stations.

The values are plain frozen dataclasses so that a ministry can swap the whole set for its own
country (see `libs.reference.loader`) without any service noticing. Codes are strings
everywhere: ICCS codes keep their leading zeros ("0101"), areas use ISO-like codes ("AM",
"AM-01") and stations ids derived from them ("AM-01-S1").
"""

from __future__ import annotations

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
class Reference:
    """The loaded reference set. Treat the dicts as read-only: one instance is cached and
    shared by the whole process."""

    iccs: dict[str, IccsCategory]
    governorates: dict[str, Governorate]
    districts: dict[str, District]
    stations: dict[str, Station]
    national_code: str = field(default="JO")

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

    def population(self, level: AreaLevel, area_id: str) -> int:
        """Population for rates per 100,000. Stations have none: use their district."""
        if level == "national":
            if area_id != self.national_code:
                raise KeyError(f"unknown national area {area_id!r}: use {self.national_code!r}")
            return sum(g.population for g in self.governorates.values())
        areas = {"district": self.districts, "governorate": self.governorates}.get(level)
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
