"""Chassis tables, incidents and offences.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from libs.chassis import chassis_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in chassis_tables.V1:
        op.execute(statement)
    op.create_table(
        "incidents",
        sa.Column("incident_id", sa.Uuid, primary_key=True),
        sa.Column("station_id", sa.String(32), nullable=False, index=True),
        sa.Column("district_code", sa.String(16), nullable=False),
        sa.Column("governorate_code", sa.String(8), nullable=False),
        sa.Column("source_ref", sa.String(64)),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counting_rules_version", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
        sa.UniqueConstraint("station_id", "source_ref", name="incidents_station_source_ref"),
    )
    op.create_table(
        "offences",
        sa.Column(
            "incident_id",
            sa.Uuid,
            sa.ForeignKey("incidents.incident_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("iccs_code", sa.String(8), nullable=False),
        sa.Column("national_code", sa.String(32)),
        sa.Column("attempted", sa.Boolean, nullable=False, server_default="false"),
    )


def downgrade() -> None:
    for table in ("offences", "incidents", "idempotency_keys", "inbox", "outbox"):
        op.drop_table(table)
