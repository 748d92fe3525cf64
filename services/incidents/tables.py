"""Persistence of the incidents service (its own schema; see libs.chassis.db)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)

metadata = MetaData()

incidents = Table(
    "incidents",
    metadata,
    Column("incident_id", Uuid, primary_key=True),
    Column("station_id", String(32), nullable=False, index=True),
    Column("district_code", String(16), nullable=False),
    Column("governorate_code", String(8), nullable=False),
    Column("source_ref", String(64)),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("counting_rules_version", String(16), nullable=False),
    Column("status", String(16), nullable=False, server_default="active"),
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
)
