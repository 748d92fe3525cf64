"""Survey instruments as data, computed plan indicators, checked SARA evidence.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

STATEMENTS: tuple[str, ...] = (
    # Programme instruments, one row per version; the standard instrument lives in code
    # (services/fora/domain/surveys.py) as code "standard", version 1.
    """CREATE TABLE survey_instruments (
        code varchar(32) NOT NULL,
        version integer NOT NULL,
        title_en varchar(200) NOT NULL,
        title_ar varchar(200) NOT NULL,
        record jsonb NOT NULL,
        created_at timestamp with time zone NOT NULL,
        PRIMARY KEY (code, version)
    )""",
    # Every existing wave asked the standard items: the standard instrument, version 1.
    "ALTER TABLE survey_waves ADD COLUMN instrument_code varchar(32) NOT NULL DEFAULT 'standard'",
    "ALTER TABLE survey_waves ADD COLUMN instrument_version integer NOT NULL DEFAULT 1",
    # Programme-defined breakdown values of a response ({"population_group": "refugee"}).
    "ALTER TABLE survey_responses ADD COLUMN groups jsonb NOT NULL DEFAULT '{}'::jsonb",
    # A plan's recorded value says whether it was computed from its source or typed in, and
    # the day the figure is as of.
    "ALTER TABLE plan_progress ADD COLUMN origin varchar(16) NOT NULL DEFAULT 'manual'",
    "ALTER TABLE plan_progress ADD COLUMN as_of date",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("forward-only migration")
