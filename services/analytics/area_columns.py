"""The area columns read models carry (station, district, governorate), so figures roll up and
filter alike in every view (scope.area_clause reads them)."""

from __future__ import annotations

from libs.reference import load_reference


def area_columns(area: str | None) -> dict:
    """The station, district and governorate an area lies in (None above its level)."""
    try:
        chain = load_reference().areas_above(area) if area else {}
    except KeyError:  # an area this reference set does not know: it rolls up nowhere
        chain = {}
    return {
        "station_id": chain.get("station"),
        "district_code": chain.get("district"),
        "governorate_code": chain.get("governorate"),
    }
