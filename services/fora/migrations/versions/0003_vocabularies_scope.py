"""Vocabularies as reference codes, forum origin, meeting kinds, follow-up reviews.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Codes are varchar(32) checked against the loaded vocabularies (libs/reference), never enums:
# a country adds a value by editing a CSV file, with no migration.
STATEMENTS: tuple[str, ...] = (
    # "domestic_violence", "abandoned_buildings" (17, 19 characters) answered 500 in 16.
    "ALTER TABLE concerns ALTER COLUMN category TYPE varchar(32)",
    "ALTER TABLE meetings ALTER COLUMN kind TYPE varchar(32)",
    "ALTER TABLE fora ADD COLUMN origin varchar(32)",
    "ALTER TABLE fora ADD COLUMN origin_programme varchar(32)",
    # The alerts behind one agenda item: every method and category level of one rise.
    """CREATE TABLE agenda_item_alerts (
        forum_id uuid NOT NULL REFERENCES fora (forum_id),
        alert_id uuid NOT NULL,
        item_id uuid NOT NULL REFERENCES agenda_items (item_id),
        area_id varchar(32) NOT NULL,
        iccs_section varchar(2) NOT NULL,
        iccs_code varchar(8) NOT NULL,
        method varchar(32) NOT NULL,
        week_start date NOT NULL,
        cleared boolean NOT NULL DEFAULT false,
        PRIMARY KEY (forum_id, alert_id)
    )""",
    "CREATE INDEX agenda_item_alerts_episode"
    " ON agenda_item_alerts (forum_id, area_id, iccs_section)",
    # Existing alert items are episodes of one alert each.
    """INSERT INTO agenda_item_alerts
        (forum_id, alert_id, item_id, area_id, iccs_section, iccs_code, method, week_start)
       SELECT forum_id, alert_id, item_id, details->>'area_id',
              left(details->>'iccs_code', 2), details->>'iccs_code', details->>'method',
              (details->>'week_start')::date
       FROM agenda_items WHERE alert_id IS NOT NULL AND details ? 'iccs_code'""",
    # The actions a meeting reviewed, with their status when it did.
    """CREATE TABLE meeting_reviews (
        meeting_id uuid NOT NULL REFERENCES meetings (meeting_id),
        action_id uuid NOT NULL REFERENCES actions (action_id),
        status varchar(16) NOT NULL,
        PRIMARY KEY (meeting_id, action_id)
    )""",
    "CREATE INDEX meeting_reviews_action ON meeting_reviews (action_id)",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("forward-only migration")
