"""Persistence of the incidents service (its own schema; see libs.chassis.db).

`incidents` and `offences` hold the record as last corrected. `incident_versions` keeps every
classification an incident has had, with the recorded-time interval it was valid in, so a
baseline can be recomputed exactly "as of" any past moment. `weekly_counts` is the current
count per station x ICCS category x week, kept up to date in the same transaction as each record
or correction, so baselines read it without scanning incidents; districts, governorates and the
nation are sums over their stations at query time (an incident has exactly one station, so the
sums count each incident once).
"""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

incidents = Table(
    "incidents",
    metadata,
    Column("incident_id", Uuid, primary_key=True),
    Column("station_id", String(32), nullable=False, index=True),
    Column("district_code", String(16), nullable=False),
    Column("governorate_code", String(8), nullable=False),
    Column("boundary_version", String(16), nullable=False, server_default="1"),
    Column("location_type", String(24), nullable=False, server_default="unknown"),
    Column("source_ref", String(64)),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("occurred_to", DateTime(timezone=True)),
    Column("reported_at", DateTime(timezone=True)),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("counting_rules_version", String(16), nullable=False),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("merged_into", Uuid),
    Column("outcome", String(32)),
    Column("outcome_date", Date),
    Column("victims", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("offenders", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("version", Integer, nullable=False, server_default="1"),
    UniqueConstraint("station_id", "source_ref", name="incidents_station_source_ref"),
)

offences = Table(
    "offences",
    metadata,
    Column(
        "incident_id",
        Uuid,
        ForeignKey("incidents.incident_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("seq", Integer, primary_key=True),
    Column("iccs_code", String(8), nullable=False),
    Column("national_code", String(32)),
    Column("attempted", Boolean, nullable=False, server_default="false"),
    Column("weapon", String(16), nullable=False, server_default="none"),
    Column("domestic", Boolean, nullable=False, server_default="false"),
    Column("cyber", Boolean, nullable=False, server_default="false"),
)

incident_versions = Table(
    "incident_versions",
    metadata,
    Column("incident_id", Uuid, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("valid_from", DateTime(timezone=True), nullable=False),
    Column("valid_to", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),
    Column("categories", ARRAY(String(8)), nullable=False),
    Column("station_id", String(32), nullable=False),
    Column("district_code", String(16), nullable=False),
    Column("governorate_code", String(8), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("week_start", Date, nullable=False),
    Column("counting_rules_version", String(16), nullable=False),
    Index("incident_versions_week", "week_start"),
)

weekly_counts = Table(
    "weekly_counts",
    metadata,
    Column("station_id", String(32), primary_key=True),
    Column("iccs_code", String(8), primary_key=True),
    Column("counting_rules_version", String(16), primary_key=True),
    Column("week_start", Date, primary_key=True),
    Column("n", Integer, nullable=False),
)

# Closed weeks whose counts changed since they closed, filled by a trigger on weekly_counts
# (migration 0003) and emptied by the alert re-evaluation job (application/alerts.py).
alert_rechecks = Table(
    "alert_rechecks",
    metadata,
    Column("station_id", String(32), primary_key=True),
    Column("week_start", Date, primary_key=True),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
)

station_periods = Table(
    "station_periods",
    metadata,
    Column("station_id", String(32), primary_key=True),
    Column("week_start", Date, primary_key=True),
    Column("incident_count", Integer, nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=False),
    Column("closed_by", String(128), nullable=False),
)

alerts = Table(
    "alerts",
    metadata,
    Column("alert_id", Uuid, primary_key=True),
    Column("area_level", String(16), nullable=False),
    Column("area_id", String(32), nullable=False),
    Column("iccs_code", String(8), nullable=False),
    Column("method", String(32), nullable=False),
    Column("status", String(16), nullable=False),  # raised | cleared
    Column("week_start", Date, nullable=False),  # the week that raised it
    Column("last_week", Date, nullable=False),  # the latest week evaluated while open
    Column("observed", Integer, nullable=False),
    Column("expected", Float, nullable=False),
    Column("upper_limit", Float, nullable=False),
    Column("score", Float, nullable=False),
    Column("raised_at", DateTime(timezone=True), nullable=False),
    Column("cleared_at", DateTime(timezone=True)),
    Column("method_version", String(16)),  # the registry version that raised it
    Column("statistic", Float),  # what the method compared with upper_limit
    # One open alert per area, category and method: a rise is one episode, not one per week.
    Index(
        "alerts_one_open",
        "area_id",
        "iccs_code",
        "method",
        unique=True,
        postgresql_where=text("status = 'raised'"),
    ),
)
