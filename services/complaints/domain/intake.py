"""Rules of intake: which channel a caller files through, and where a complaint belongs."""

from __future__ import annotations

from collections.abc import Sequence

from libs.chassis.errors import RuleViolation
from libs.reference.model import Reference


def channel_for(
    requested: str | None, *, counter_station: str | None, hotline: bool, on_behalf: bool
) -> tuple[str, str | None]:
    """The intake channel and the counter's station, from who is calling: a station officer
    files at their counter, a complaints officer on the hotline, anyone else on the web (or as
    an NGO when filing on someone's behalf)."""
    if counter_station:
        expected, station = "station_counter", counter_station
    elif hotline:
        expected, station = "hotline", None
    else:
        expected, station = ("ngo" if on_behalf else "web"), None
    if requested not in (None, expected):
        raise RuleViolation(
            "channel",
            f"channel {requested} is not available to this caller; it files as {expected}",
        )
    return expected, station


def area_of(
    station_id: str | None,
    governorate_code: str | None,
    allegation_stations: Sequence[str | None],
    reference: Reference,
) -> str:
    """The governorate the complaint belongs to (for oversight jurisdiction)."""
    named: list[tuple[tuple[str | int, ...], str | None]] = [(("station_id",), station_id)]
    named += [(("allegations", i, "station_id"), s) for i, s in enumerate(allegation_stations)]
    for loc, named_station in named:
        if named_station and named_station not in reference.stations:
            raise RuleViolation(loc, f"unknown station {named_station!r}")
    if governorate_code and governorate_code not in reference.governorates:
        raise RuleViolation("governorate_code", f"unknown governorate {governorate_code!r}")
    if station_id:
        governorate = reference.stations[station_id].governorate_code
        if governorate_code not in (None, governorate):
            raise RuleViolation(
                "governorate_code", f"station {station_id} is in governorate {governorate}"
            )
        return governorate
    if governorate_code:
        return governorate_code
    raise RuleViolation("station_id", "say where it happened: station_id or governorate_code")
