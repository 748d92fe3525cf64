"""Fora: registry, members, meetings, concerns, agenda, priorities, actions, SARA cases,
surveys, safety plans, outreach activities, health snapshots; and the personal-data vault.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
from sqlalchemy import MetaData

from libs.chassis.personal_data import personal_data_tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Written out (not created from services.fora.tables) so this revision keeps creating what it
# created when it was written, whatever the tables module becomes.
STATEMENTS = (
    """
    CREATE TABLE fora (
        forum_id UUID NOT NULL,
        forum_type VARCHAR(32) NOT NULL,
        level VARCHAR(16) NOT NULL,
        area_id VARCHAR(32) NOT NULL,
        station_id VARCHAR(32),
        parent_forum_id UUID,
        name_en VARCHAR(200) NOT NULL,
        name_ar VARCHAR(200) NOT NULL,
        quorum JSONB NOT NULL,
        women_target FLOAT NOT NULL,
        registered_at TIMESTAMP WITH TIME ZONE NOT NULL,
        PRIMARY KEY (forum_id),
        FOREIGN KEY(parent_forum_id) REFERENCES fora (forum_id)
    )
    """,
    "CREATE INDEX ix_fora_area_id ON fora (area_id)",
    """
    CREATE TABLE health_snapshots (
        forum_id UUID NOT NULL,
        period_start DATE NOT NULL,
        figures JSONB NOT NULL,
        PRIMARY KEY (forum_id, period_start),
        FOREIGN KEY(forum_id) REFERENCES fora (forum_id)
    )
    """,
    """
    CREATE TABLE meetings (
        meeting_id UUID NOT NULL,
        forum_id UUID NOT NULL,
        kind VARCHAR(16) NOT NULL,
        scheduled_for DATE NOT NULL,
        status VARCHAR(16) NOT NULL,
        held_on DATE,
        quorum_met BOOLEAN,
        members_present INTEGER,
        walk_ins INTEGER,
        women INTEGER,
        men INTEGER,
        total INTEGER,
        groups JSONB,
        age_bands JSONB,
        walk_in_counts JSONB,
        minutes_language VARCHAR(2),
        minutes_recorded_at TIMESTAMP WITH TIME ZONE,
        PRIMARY KEY (meeting_id),
        FOREIGN KEY(forum_id) REFERENCES fora (forum_id)
    )
    """,
    "CREATE INDEX ix_meetings_forum_id ON meetings (forum_id)",
    """
    CREATE TABLE members (
        member_id UUID NOT NULL,
        forum_id UUID NOT NULL,
        role VARCHAR(32) NOT NULL,
        represents VARCHAR(32) NOT NULL,
        gender VARCHAR(8),
        age_band VARCHAR(16),
        joined_on DATE NOT NULL,
        left_on DATE,
        PRIMARY KEY (member_id),
        FOREIGN KEY(forum_id) REFERENCES fora (forum_id)
    )
    """,
    "CREATE INDEX ix_members_forum_id ON members (forum_id)",
    """
    CREATE TABLE plans (
        plan_id UUID NOT NULL,
        forum_id UUID,
        area_id VARCHAR(32) NOT NULL,
        title_en VARCHAR(300) NOT NULL,
        title_ar VARCHAR(300) NOT NULL,
        period_start DATE NOT NULL,
        period_end DATE NOT NULL,
        goals JSONB NOT NULL,
        adopted_on DATE NOT NULL,
        PRIMARY KEY (plan_id),
        FOREIGN KEY(forum_id) REFERENCES fora (forum_id)
    )
    """,
    """
    CREATE TABLE sara_cases (
        case_id UUID NOT NULL,
        forum_id UUID NOT NULL,
        stage VARCHAR(16) NOT NULL,
        problem_statement VARCHAR(2000) NOT NULL,
        area_level VARCHAR(16) NOT NULL,
        area_id VARCHAR(32) NOT NULL,
        iccs_code VARCHAR(8),
        comparison_area_id VARCHAR(32) NOT NULL,
        displacement_area_id VARCHAR(32),
        linked_concern_ids UUID[] NOT NULL,
        linked_incident_ids UUID[] NOT NULL,
        alert_id UUID,
        baseline JSONB NOT NULL,
        analysis JSONB,
        response JSONB,
        assessment JSONB,
        opened_at TIMESTAMP WITH TIME ZONE NOT NULL,
        PRIMARY KEY (case_id),
        FOREIGN KEY(forum_id) REFERENCES fora (forum_id)
    )
    """,
    "CREATE INDEX ix_sara_cases_forum_id ON sara_cases (forum_id)",
    """
    CREATE TABLE survey_waves (
        wave_id UUID NOT NULL,
        forum_id UUID,
        area_id VARCHAR(32) NOT NULL,
        title_en VARCHAR(200) NOT NULL,
        title_ar VARCHAR(200) NOT NULL,
        items VARCHAR(64)[] NOT NULL,
        opens_on DATE NOT NULL,
        closes_on DATE NOT NULL,
        published_at TIMESTAMP WITH TIME ZONE,
        PRIMARY KEY (wave_id),
        FOREIGN KEY(forum_id) REFERENCES fora (forum_id)
    )
    """,
    "CREATE INDEX ix_survey_waves_forum_id ON survey_waves (forum_id)",
    """
    CREATE TABLE activities (
        activity_id UUID NOT NULL,
        forum_id UUID,
        area_id VARCHAR(32) NOT NULL,
        kind VARCHAR(32) NOT NULL,
        audience VARCHAR(32) NOT NULL,
        title_en VARCHAR(300) NOT NULL,
        title_ar VARCHAR(300) NOT NULL,
        held_on DATE NOT NULL,
        participants JSON NOT NULL,
        direct_beneficiaries INTEGER NOT NULL,
        indirect_beneficiaries INTEGER NOT NULL,
        before_wave_id UUID,
        after_wave_id UUID,
        PRIMARY KEY (activity_id),
        FOREIGN KEY(forum_id) REFERENCES fora (forum_id),
        FOREIGN KEY(before_wave_id) REFERENCES survey_waves (wave_id),
        FOREIGN KEY(after_wave_id) REFERENCES survey_waves (wave_id)
    )
    """,
    "CREATE INDEX ix_activities_area_id ON activities (area_id)",
    """
    CREATE TABLE concerns (
        concern_id UUID NOT NULL,
        forum_id UUID NOT NULL,
        meeting_id UUID,
        raised_by_member UUID,
        raised_by_group VARCHAR(32) NOT NULL,
        category VARCHAR(16) NOT NULL,
        area_id VARCHAR(32) NOT NULL,
        summary_en VARCHAR(500),
        summary_ar VARCHAR(500),
        raised_on DATE NOT NULL,
        PRIMARY KEY (concern_id),
        FOREIGN KEY(forum_id) REFERENCES fora (forum_id),
        FOREIGN KEY(meeting_id) REFERENCES meetings (meeting_id),
        FOREIGN KEY(raised_by_member) REFERENCES members (member_id)
    )
    """,
    "CREATE INDEX ix_concerns_forum_id ON concerns (forum_id)",
    """
    CREATE TABLE meeting_attendance (
        meeting_id UUID NOT NULL,
        member_id UUID NOT NULL,
        PRIMARY KEY (meeting_id, member_id),
        FOREIGN KEY(meeting_id) REFERENCES meetings (meeting_id),
        FOREIGN KEY(member_id) REFERENCES members (member_id)
    )
    """,
    """
    CREATE TABLE plan_progress (
        plan_id UUID NOT NULL,
        indicator_id UUID NOT NULL,
        period VARCHAR(16) NOT NULL,
        recorded_on DATE NOT NULL,
        value FLOAT,
        rating VARCHAR(16),
        note VARCHAR(1000),
        PRIMARY KEY (plan_id, indicator_id, period),
        FOREIGN KEY(plan_id) REFERENCES plans (plan_id)
    )
    """,
    """
    CREATE TABLE survey_responses (
        id BIGINT GENERATED ALWAYS AS IDENTITY,
        wave_id UUID NOT NULL,
        area_id VARCHAR(32) NOT NULL,
        gender VARCHAR(8),
        age_band VARCHAR(16),
        answers JSONB NOT NULL,
        PRIMARY KEY (id),
        FOREIGN KEY(wave_id) REFERENCES survey_waves (wave_id)
    )
    """,
    "CREATE INDEX ix_survey_responses_wave_id ON survey_responses (wave_id)",
    """
    CREATE TABLE agenda_items (
        item_id UUID NOT NULL,
        forum_id UUID NOT NULL,
        meeting_id UUID,
        source VARCHAR(16) NOT NULL,
        status VARCHAR(16) NOT NULL,
        concern_id UUID,
        alert_id UUID,
        details JSONB,
        title_en VARCHAR(300) NOT NULL,
        title_ar VARCHAR(300) NOT NULL,
        created_at TIMESTAMP WITH TIME ZONE NOT NULL,
        PRIMARY KEY (item_id),
        CONSTRAINT agenda_items_forum_alert UNIQUE (forum_id, alert_id),
        FOREIGN KEY(forum_id) REFERENCES fora (forum_id),
        FOREIGN KEY(meeting_id) REFERENCES meetings (meeting_id),
        FOREIGN KEY(concern_id) REFERENCES concerns (concern_id)
    )
    """,
    "CREATE INDEX ix_agenda_items_meeting_id ON agenda_items (meeting_id)",
    "CREATE INDEX ix_agenda_items_forum_id ON agenda_items (forum_id)",
    """
    CREATE TABLE priorities (
        priority_id UUID NOT NULL,
        forum_id UUID NOT NULL,
        concern_id UUID NOT NULL,
        period_start DATE NOT NULL,
        period_end DATE NOT NULL,
        rank INTEGER NOT NULL,
        score FLOAT NOT NULL,
        method VARCHAR(16) NOT NULL,
        PRIMARY KEY (priority_id),
        CONSTRAINT priorities_period_concern UNIQUE (forum_id, period_start, concern_id),
        FOREIGN KEY(forum_id) REFERENCES fora (forum_id),
        FOREIGN KEY(concern_id) REFERENCES concerns (concern_id)
    )
    """,
    "CREATE INDEX ix_priorities_forum_id ON priorities (forum_id)",
    """
    CREATE TABLE actions (
        action_id UUID NOT NULL,
        forum_id UUID NOT NULL,
        concern_id UUID,
        priority_id UUID,
        title_en VARCHAR(300) NOT NULL,
        title_ar VARCHAR(300) NOT NULL,
        owner VARCHAR(64) NOT NULL,
        due_on DATE NOT NULL,
        status VARCHAR(16) NOT NULL,
        closed_on DATE,
        overdue_notified_for DATE,
        created_on DATE NOT NULL,
        PRIMARY KEY (action_id),
        FOREIGN KEY(forum_id) REFERENCES fora (forum_id),
        FOREIGN KEY(concern_id) REFERENCES concerns (concern_id),
        FOREIGN KEY(priority_id) REFERENCES priorities (priority_id)
    )
    """,
    "CREATE INDEX ix_actions_forum_id ON actions (forum_id)",
    """
    CREATE TABLE action_notes (
        id BIGINT GENERATED ALWAYS AS IDENTITY,
        action_id UUID NOT NULL,
        noted_on DATE NOT NULL,
        from_status VARCHAR(16),
        to_status VARCHAR(16) NOT NULL,
        note VARCHAR(2000),
        PRIMARY KEY (id),
        FOREIGN KEY(action_id) REFERENCES actions (action_id)
    )
    """,
    "CREATE INDEX ix_action_notes_action_id ON action_notes (action_id)",
)

TABLES = (
    "health_snapshots", "activities", "plan_progress", "plans", "survey_responses",
    "survey_waves", "sara_cases", "action_notes", "actions", "priorities", "agenda_items",
    "concerns", "meeting_attendance", "meetings", "members", "fora",
)  # fmt: skip


def upgrade() -> None:
    vault = MetaData()
    personal_data_tables(vault)
    vault.create_all(op.get_bind())
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
    for table in ("personal_data_reads", "personal_data", "subject_keys"):
        op.drop_table(table)
