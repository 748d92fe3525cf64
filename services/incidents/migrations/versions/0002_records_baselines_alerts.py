"""Full incident record, classification history, weekly counts, periods, alerts.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for column in (
        sa.Column("boundary_version", sa.String(16), nullable=False, server_default="1"),
        sa.Column("location_type", sa.String(24), nullable=False, server_default="unknown"),
        sa.Column("occurred_to", sa.DateTime(timezone=True)),
        sa.Column("reported_at", sa.DateTime(timezone=True)),
        sa.Column("merged_into", sa.Uuid),
        sa.Column("outcome", sa.String(32)),
        sa.Column("outcome_date", sa.Date),
        sa.Column("victims", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("offenders", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    ):
        op.add_column("incidents", column)
    for column in (
        sa.Column("weapon", sa.String(16), nullable=False, server_default="none"),
        sa.Column("domestic", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("cyber", sa.Boolean, nullable=False, server_default="false"),
    ):
        op.add_column("offences", column)
    op.create_table(
        "incident_versions",
        sa.Column("incident_id", sa.Uuid, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("categories", sa.ARRAY(sa.String(8)), nullable=False),
        sa.Column("station_id", sa.String(32), nullable=False),
        sa.Column("district_code", sa.String(16), nullable=False),
        sa.Column("governorate_code", sa.String(8), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("week_start", sa.Date, nullable=False),
        sa.Column("counting_rules_version", sa.String(16), nullable=False),
    )
    op.create_index("incident_versions_week", "incident_versions", ["week_start"])
    op.create_table(
        "weekly_counts",
        sa.Column("station_id", sa.String(32), primary_key=True),
        sa.Column("iccs_code", sa.String(8), primary_key=True),
        sa.Column("counting_rules_version", sa.String(16), primary_key=True),
        sa.Column("week_start", sa.Date, primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_table(
        "station_periods",
        sa.Column("station_id", sa.String(32), primary_key=True),
        sa.Column("week_start", sa.Date, primary_key=True),
        sa.Column("incident_count", sa.Integer, nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(128), nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("alert_id", sa.Uuid, primary_key=True),
        sa.Column("area_level", sa.String(16), nullable=False),
        sa.Column("area_id", sa.String(32), nullable=False),
        sa.Column("iccs_code", sa.String(8), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("week_start", sa.Date, nullable=False),
        sa.Column("last_week", sa.Date, nullable=False),
        sa.Column("observed", sa.Integer, nullable=False),
        sa.Column("expected", sa.Float, nullable=False),
        sa.Column("upper_limit", sa.Float, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True)),
    )
    op.create_index(
        "alerts_one_open",
        "alerts",
        ["area_id", "iccs_code", "method"],
        unique=True,
        postgresql_where=sa.text("status = 'raised'"),
    )


def downgrade() -> None:
    for table in ("alerts", "station_periods", "weekly_counts", "incident_versions"):
        op.drop_table(table)
    for column in ("weapon", "domestic", "cyber"):
        op.drop_column("offences", column)
    for column in (
        "boundary_version",
        "location_type",
        "occurred_to",
        "reported_at",
        "merged_into",
        "outcome",
        "outcome_date",
        "victims",
        "offenders",
        "version",
    ):
        op.drop_column("incidents", column)
