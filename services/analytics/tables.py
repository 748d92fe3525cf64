"""Analytics read models (its own schema). Rebuilt from events; never written by HTTP."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, String, Table, Uuid

metadata = MetaData()

incident_facts = Table(
    "incident_facts",
    metadata,
    Column("incident_id", Uuid, primary_key=True),
    Column("station_id", String(32), nullable=False, index=True),
    Column("district_code", String(16), nullable=False),
    Column("governorate_code", String(8), nullable=False),
    Column("iccs_code", String(8), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
