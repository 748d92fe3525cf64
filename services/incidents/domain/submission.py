"""Rules of incident records: what a submission must satisfy, what it counts as, which
corrections an incident allows. Pure: tested without a database.

The counting unit follows NIBRS: one incident holds 1..10 offences, each classified by ICCS.
Baselines count incidents per ICCS category: an incident counts once in every section and
division any of its offences falls in (two thefts in one incident are one theft incident).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from libs.chassis.dates import check_moment
from libs.chassis.errors import RuleViolation
from libs.contracts.incidents import IncidentRecorded, Offence, PersonCount
from libs.reference.model import Reference

from ..schemas import IncidentIn, OffenceIn, PersonSummary

# Bump when what counts as an incident or offence changes: baselines restart at the change.
# Read as `submission.COUNTING_RULES_VERSION` at call time, never imported by value, so that
# every reader sees one current version.
COUNTING_RULES_VERSION = "1"
BOUNDARY_VERSION = "1"
# Station clocks drift; an occurred time a little in the future is a clock, not a fabrication.
CLOCK_SKEW = timedelta(minutes=5)
Loc = tuple[str | int, ...]


def check_submission(incident: IncidentIn, reference: Reference, now: datetime) -> None:
    if incident.station_id not in reference.stations:
        raise RuleViolation("station_id", f"unknown station {incident.station_id!r}")
    for name in ("occurred_at", "occurred_to", "reported_at"):
        if (moment := getattr(incident, name)) is not None:
            check_moment(moment, name)  # before any arithmetic on it can overflow
    if incident.occurred_at > now + CLOCK_SKEW:
        raise RuleViolation("occurred_at", "must not be in the future")
    if incident.occurred_to is not None and incident.occurred_to < incident.occurred_at:
        raise RuleViolation("occurred_to", "must not be before occurred_at")
    if incident.reported_at is not None:
        if incident.reported_at < incident.occurred_at:
            raise RuleViolation("reported_at", "must not be before occurred_at")
        if incident.reported_at > now + CLOCK_SKEW:
            raise RuleViolation("reported_at", "must not be in the future")
    for i, offence in enumerate(incident.offences):
        settled_iccs_code(offence, reference, ("offences", i))


def settled_iccs_code(offence: OffenceIn, reference: Reference, loc: Loc) -> str:
    """The offence's ICCS code, through the crosswalk when only the national code is given."""
    iccs = offence.iccs_code
    if offence.national_code is not None:
        entry = reference.crosswalk.get(offence.national_code)
        if entry is None:
            if iccs is None:
                raise RuleViolation(
                    (*loc, "national_code"),
                    f"{offence.national_code!r} is not in the crosswalk; give iccs_code too",
                )
        elif iccs is None:
            iccs = entry.iccs_code
        elif not entry.iccs_code.startswith(iccs) and not iccs.startswith(entry.iccs_code):
            raise RuleViolation(
                (*loc, "iccs_code"),
                f"{iccs!r} contradicts the crosswalk, which maps {offence.national_code!r} "
                f"to {entry.iccs_code!r}",
            )
    assert iccs is not None  # OffenceIn guarantees one of the two codes
    if not reference.is_valid_iccs(iccs):
        raise RuleViolation((*loc, "iccs_code"), f"{iccs!r} is not an ICCS code")
    return iccs


def resolve_offence(offence: OffenceIn, reference: Reference, loc: Loc) -> Offence:
    """The offence as the event carries it, its ICCS code settled."""
    return Offence(
        **{**offence.model_dump(), "iccs_code": settled_iccs_code(offence, reference, loc)}
    )


def resolve_offences(offences: Sequence[OffenceIn], reference: Reference) -> list[Offence]:
    return [resolve_offence(o, reference, ("offences", i)) for i, o in enumerate(offences)]


def counted_categories(iccs_codes: Sequence[str], reference: Reference) -> list[str]:
    """The ICCS sections and divisions an incident counts in (levels 1 and 2), sorted."""
    categories: set[str] = set()
    for code in iccs_codes:
        categories.update(c for c in reference.iccs_ancestors(code) if len(c) <= 4)
    return sorted(categories)


def people_counts(people: Sequence[PersonSummary]) -> list[PersonCount]:
    """Victims or offenders as the event carries them: how many share a type, sex and age
    band, in a fixed order. The relationship stays in the record: per person it would tie one
    victim to one offender, and events cannot be erased (DESIGN.md, Events)."""
    groups = Counter((p.type, p.sex, p.age_band) for p in people)
    return [
        PersonCount(type=type_, sex=sex, age_band=band, count=n)
        for (type_, sex, band), n in sorted(groups.items())
    ]


def recorded_event(
    incident_id: UUID, incident: IncidentIn, reference: Reference, recorded_at: datetime
) -> IncidentRecorded:
    chain = reference.area_chain(incident.station_id)
    return IncidentRecorded(
        incident_id=incident_id,
        station_id=incident.station_id,
        district_code=chain["district"],
        governorate_code=chain["governorate"],
        offences=resolve_offences(incident.offences, reference),
        occurred_at=incident.occurred_at.astimezone(UTC),
        recorded_at=recorded_at,
        counting_rules_version=COUNTING_RULES_VERSION,
        occurred_to=incident.occurred_to.astimezone(UTC) if incident.occurred_to else None,
        reported_at=incident.reported_at.astimezone(UTC) if incident.reported_at else None,
        location_type=incident.location_type,
        boundary_version=BOUNDARY_VERSION,
        victims=people_counts(incident.victims),
        offenders=people_counts(incident.offenders),
    )


# Corrections: records are never edited in place; each correction is an event and a new
# version of the incident's classification, so baselines can be recomputed "as of" any time.


def check_correction(status: str, kind: str) -> None:
    """Only an active incident can be reclassified, voided or merged; outcomes need one too."""
    if status != "active":
        raise RuleViolation.conflict(f"cannot {kind} an incident that is {status}")


def check_merge(incident_id: UUID, merged_into: UUID) -> None:
    if merged_into == incident_id:
        raise RuleViolation("merged_into", "an incident cannot be merged into itself")


def check_merge_target(target_status: str) -> None:
    """A duplicate folds into an incident that still counts."""
    if target_status != "active":
        raise RuleViolation("merged_into", f"the target incident is {target_status}")


def check_outcome_date(outcome_date: date, occurred_at: datetime) -> None:
    if outcome_date < occurred_at.date():
        raise RuleViolation("outcome_date", "must not be before the incident occurred")
