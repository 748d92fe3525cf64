"""Chassis tables and the incident facts projection.

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
        "incident_facts",
        sa.Column("incident_id", sa.Uuid, primary_key=True),
        sa.Column("station_id", sa.String(32), nullable=False, index=True),
        sa.Column("district_code", sa.String(16), nullable=False),
        sa.Column("governorate_code", sa.String(8), nullable=False),
        sa.Column("iccs_code", sa.String(8), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("incident_facts", "idempotency_keys", "inbox", "outbox"):
        op.drop_table(table)
