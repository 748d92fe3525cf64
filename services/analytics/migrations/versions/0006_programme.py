"""Programme work: outreach, trainings, membership, safety plans, SARA cases (from fora's
activity.recorded, forum.membership_counted, plan.indicator_valued, sara_case.* and the
origin in forum.registered). Filled by `jisr analytics rebuild` from the fora topic.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = (
    "forum_origins", "programme_activities", "membership_counts", "membership_cells",
    "plan_indicator_values", "sara_cases", "sara_stages", "sara_assessments",
)  # fmt: skip

STATEMENTS: tuple[str, ...] = (
    """CREATE TABLE forum_origins (
        forum_id uuid NOT NULL,
        origin varchar(40),
        origin_programme varchar(40),
        PRIMARY KEY (forum_id)
    )""",
    """CREATE TABLE programme_activities (
        activity_id uuid NOT NULL,
        forum_id uuid,
        area_id varchar(32) NOT NULL,
        station_id varchar(32),
        district_code varchar(16),
        governorate_code varchar(8),
        kind varchar(40) NOT NULL,
        audience varchar(40) NOT NULL,
        held_on date NOT NULL,
        participants integer NOT NULL,
        women integer NOT NULL,
        men integer NOT NULL,
        gender_unknown integer NOT NULL,
        direct_beneficiaries integer NOT NULL,
        indirect_beneficiaries integer NOT NULL,
        event_time timestamptz NOT NULL,
        event_id uuid NOT NULL,
        PRIMARY KEY (activity_id)
    )""",
    "CREATE INDEX ix_programme_activities_held_on ON programme_activities (held_on)",
    """CREATE TABLE membership_counts (
        event_id uuid NOT NULL,
        forum_id uuid NOT NULL,
        members integer NOT NULL,
        counted_at timestamptz NOT NULL,
        PRIMARY KEY (event_id)
    )""",
    "CREATE INDEX ix_membership_counts_forum_id ON membership_counts (forum_id)",
    """CREATE TABLE membership_cells (
        event_id uuid NOT NULL,
        group_code varchar(40) NOT NULL,
        gender varchar(8) NOT NULL,
        members integer NOT NULL,
        PRIMARY KEY (event_id, group_code, gender)
    )""",
    """CREATE TABLE plan_indicator_values (
        indicator_id uuid NOT NULL,
        period varchar(8) NOT NULL,
        period_start date NOT NULL,
        plan_id uuid NOT NULL,
        forum_id uuid,
        area_id varchar(32) NOT NULL,
        station_id varchar(32),
        district_code varchar(16),
        governorate_code varchar(8),
        source varchar(24) NOT NULL,
        origin varchar(8) NOT NULL,
        iccs_code varchar(8),
        item varchar(40),
        value float,
        rating varchar(16),
        baseline float,
        target float,
        status varchar(16) NOT NULL,
        as_of date,
        recorded_at timestamptz NOT NULL,
        event_id uuid NOT NULL,
        PRIMARY KEY (indicator_id, period)
    )""",
    "CREATE INDEX ix_plan_indicator_values_plan_id ON plan_indicator_values (plan_id)",
    """CREATE TABLE sara_cases (
        case_id uuid NOT NULL,
        forum_id uuid NOT NULL,
        area_level varchar(16) NOT NULL,
        area_id varchar(32) NOT NULL,
        station_id varchar(32),
        district_code varchar(16),
        governorate_code varchar(8),
        iccs_code varchar(8),
        comparison_area_id varchar(32) NOT NULL,
        linked_incidents integer NOT NULL,
        opened_at timestamptz NOT NULL,
        PRIMARY KEY (case_id)
    )""",
    "CREATE INDEX ix_sara_cases_opened_at ON sara_cases (opened_at)",
    """CREATE TABLE sara_stages (
        case_id uuid NOT NULL,
        stage varchar(16) NOT NULL,
        changed_at timestamptz NOT NULL,
        event_id uuid NOT NULL,
        PRIMARY KEY (case_id)
    )""",
    """CREATE TABLE sara_assessments (
        case_id uuid NOT NULL,
        forum_id uuid NOT NULL,
        interventions_planned integer NOT NULL,
        interventions_as_planned integer NOT NULL,
        before_from date NOT NULL,
        before_to date NOT NULL,
        after_from date NOT NULL,
        after_to date NOT NULL,
        treated_before integer NOT NULL,
        treated_after integer NOT NULL,
        comparison_before integer NOT NULL,
        comparison_after integer NOT NULL,
        wdd float NOT NULL,
        wdd_p float,
        etest_p float,
        impact varchar(24) NOT NULL,
        displacement varchar(24) NOT NULL,
        assessed_at timestamptz NOT NULL,
        event_id uuid NOT NULL,
        PRIMARY KEY (case_id)
    )""",
    "CREATE INDEX ix_sara_assessments_assessed_at ON sara_assessments (assessed_at)",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
