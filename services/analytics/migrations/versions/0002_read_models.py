"""Read models for every view: crime (categories, corrections, alerts), accountability and
community engagement (perception survey results included).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _incident_columns() -> None:
    op.add_column("incident_facts", sa.Column("categories", sa.ARRAY(sa.String(8))))
    # Rows projected before this revision know only their principal offence.
    op.execute(
        "UPDATE incident_facts SET categories ="
        " ARRAY[left(iccs_code, 2), left(iccs_code, 4)]::varchar[]"
    )
    op.alter_column("incident_facts", "categories", nullable=False)
    op.add_column(
        "incident_facts",
        sa.Column("status", sa.String(8), nullable=False, server_default="active"),
    )
    op.create_index("incident_facts_occurred_at", "incident_facts", ["occurred_at"])
    op.create_index(
        "incident_facts_categories", "incident_facts", ["categories"], postgresql_using="gin"
    )


def upgrade() -> None:
    _incident_columns()
    op.create_table(
        "baseline_alerts",
        sa.Column("alert_id", sa.Uuid, primary_key=True),
        sa.Column("area_level", sa.String(16), nullable=False),
        sa.Column("area_id", sa.String(32), nullable=False),
        sa.Column("iccs_code", sa.String(8), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("week_start", sa.Date, nullable=False),
        sa.Column("observed", sa.Integer, nullable=False),
        sa.Column("expected", sa.Float, nullable=False),
        sa.Column("upper_limit", sa.Float, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("raised_at", TZ),
        sa.Column("cleared_at", TZ),
    )
    op.create_table(
        "complaint_facts",
        sa.Column("complaint_id", sa.Uuid, primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("station_id", sa.String(32), index=True),
        sa.Column("governorate_code", sa.String(8), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("first_closed_at", TZ),
        sa.Column("anonymous", sa.Boolean, nullable=False),
    )
    op.create_table(
        "complaint_categories",
        sa.Column("complaint_id", sa.Uuid, primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("category", sa.String(40), nullable=False),
    )
    op.create_table(
        "complaint_findings",
        sa.Column("allegation_id", sa.Uuid, primary_key=True),
        sa.Column("complaint_id", sa.Uuid, nullable=False, index=True),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("finding", sa.String(32), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
    )
    op.create_table(
        "complaint_breaches",
        sa.Column("complaint_id", sa.Uuid, primary_key=True),
        sa.Column("clock", sa.String(32), primary_key=True),
        sa.Column("due_at", TZ, primary_key=True),
        sa.Column("breached_at", TZ, nullable=False),
    )
    op.create_table(
        "complaint_reviews",
        sa.Column("complaint_id", sa.Uuid, primary_key=True),
        sa.Column("sequence", sa.Integer, primary_key=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("decided_at", TZ, nullable=False),
    )
    op.create_table(
        "recommendations",
        sa.Column("recommendation_id", sa.Uuid, primary_key=True),
        sa.Column("complaint_id", sa.Uuid, nullable=False, index=True),
        sa.Column("oversight_body", sa.String(32), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("made_at", TZ, nullable=False),
        sa.Column("respond_by", TZ, nullable=False),
        sa.Column("answer", sa.String(16)),
        sa.Column("answered_at", TZ),
    )
    op.create_table(
        "forum_facts",
        sa.Column("forum_id", sa.Uuid, primary_key=True),
        sa.Column("forum_type", sa.String(32), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("area_code", sa.String(32), nullable=False),
        sa.Column("station_id", sa.String(32)),
        sa.Column("district_code", sa.String(16)),
        sa.Column("governorate_code", sa.String(8)),
        sa.Column("registered_at", TZ, nullable=False),
    )
    op.create_table(
        "meeting_facts",
        sa.Column("meeting_id", sa.Uuid, primary_key=True),
        sa.Column("forum_id", sa.Uuid, nullable=False, index=True),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("women", sa.Integer, nullable=False),
        sa.Column("men", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("quorum_met", sa.Boolean, nullable=False),
        sa.Column("women_only", sa.Boolean, nullable=False),
    )
    op.create_table(
        "meeting_groups",
        sa.Column("meeting_id", sa.Uuid, primary_key=True),
        sa.Column("group_code", sa.String(32), primary_key=True),
        sa.Column("attendees", sa.Integer, nullable=False),
    )
    op.create_table(
        "action_facts",
        sa.Column("action_id", sa.Uuid, primary_key=True),
        sa.Column("forum_id", sa.Uuid, nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("due_on", sa.Date),
        sa.Column("done_on", sa.Date),
    )
    op.create_table(
        "concern_facts",
        sa.Column("concern_id", sa.Uuid, primary_key=True),
        sa.Column("forum_id", sa.Uuid, nullable=False, index=True),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("raised_at", TZ, nullable=False),
    )
    _survey_tables()


def _survey_tables() -> None:
    op.create_table(
        "survey_waves",
        sa.Column("wave_id", sa.Uuid, primary_key=True),
        sa.Column("forum_id", sa.Uuid),
        sa.Column("area_id", sa.String(32), nullable=False),
        sa.Column("station_id", sa.String(32)),
        sa.Column("district_code", sa.String(16)),
        sa.Column("governorate_code", sa.String(8)),
        sa.Column("opens_on", sa.Date, nullable=False),
        sa.Column("closes_on", sa.Date, nullable=False, index=True),
        sa.Column("min_cell_size", sa.Integer, nullable=False),
        sa.Column("responses", sa.Integer, nullable=False),
        sa.Column("items", sa.ARRAY(sa.String(40)), nullable=False),
        sa.Column("published_at", TZ, nullable=False),
        sa.Column("publication_id", sa.Uuid, nullable=False),
    )
    op.create_table(
        "survey_cells",
        sa.Column("wave_id", sa.Uuid, primary_key=True),
        sa.Column("breakdown", sa.String(16), primary_key=True),
        sa.Column("cell", sa.Integer, primary_key=True),
        sa.Column("area_id", sa.String(32)),
        sa.Column("station_id", sa.String(32)),
        sa.Column("district_code", sa.String(16)),
        sa.Column("governorate_code", sa.String(8)),
        sa.Column("gender", sa.String(8)),
        sa.Column("suppressed", sa.Boolean, nullable=False),
        sa.Column("responses", sa.Integer),
    )
    op.create_table(
        "survey_cell_items",
        sa.Column("wave_id", sa.Uuid, primary_key=True),
        sa.Column("breakdown", sa.String(16), primary_key=True),
        sa.Column("cell", sa.Integer, primary_key=True),
        sa.Column("item", sa.String(40), primary_key=True),
        sa.Column("answered", sa.Integer, nullable=False),
        sa.Column("positive", sa.Integer),
    )


def downgrade() -> None:
    for table in (
        "survey_cell_items",
        "survey_cells",
        "survey_waves",
        "concern_facts",
        "action_facts",
        "meeting_groups",
        "meeting_facts",
        "forum_facts",
        "recommendations",
        "complaint_reviews",
        "complaint_breaches",
        "complaint_findings",
        "complaint_categories",
        "complaint_facts",
        "baseline_alerts",
    ):
        op.drop_table(table)
    op.drop_index("incident_facts_categories", "incident_facts")
    op.drop_index("incident_facts_occurred_at", "incident_facts")
    op.drop_column("incident_facts", "status")
    op.drop_column("incident_facts", "categories")
