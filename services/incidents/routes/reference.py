"""Reference data every client needs: the ICCS taxonomy and the police stations."""

from __future__ import annotations

from fastapi import APIRouter, Query

from libs.reference import load_reference

from ..schemas import Category, CrosswalkEntry, Station, Taxonomy

router = APIRouter(prefix="/v1", tags=["reference"])


@router.get(
    "/taxonomy",
    response_model=Taxonomy,
    summary="ICCS sections and divisions with Arabic and English titles",
)
async def taxonomy(level: int | None = Query(None, ge=1, le=2)) -> Taxonomy:
    reference = load_reference()
    return Taxonomy(
        classification="ICCS 1.0 (UNODC 2015)",
        categories=[
            Category(
                code=c.code,
                level=c.level,
                parent=c.parent,
                title_en=c.title_en,
                title_ar=c.title_ar,
            )
            for c in reference.iccs.values()
            if c.level <= 2 and (level is None or c.level == level)
        ],
        crosswalk=[
            CrosswalkEntry(
                national_code=e.national_code,
                iccs_code=e.iccs_code,
                version=e.version,
                title_en=e.title_en,
                title_ar=e.title_ar,
            )
            for e in reference.crosswalk.values()
        ],
    )


@router.get(
    "/stations",
    response_model=list[Station],
    summary="Police stations with their district and governorate",
)
async def list_stations(governorate: str | None = Query(None, max_length=8)) -> list[Station]:
    reference = load_reference()
    return [
        Station(
            id=s.id,
            name_en=s.name_en,
            name_ar=s.name_ar,
            district_code=s.district_code,
            governorate_code=s.governorate_code,
        )
        for s in reference.stations.values()
        if governorate is None or s.governorate_code == governorate
    ]
