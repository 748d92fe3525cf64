"""Complaints, allegations, the event feed and ledger, clocks, oversight, notifications, the
personal-data vault and rate-limit counters.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
from sqlalchemy import MetaData

from libs.chassis import rate_limit
from libs.chassis.personal_data import personal_data_tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STATEMENTS = (
    """
    CREATE TABLE complaints (
        complaint_id      uuid PRIMARY KEY,
        reference         varchar(24)  NOT NULL UNIQUE,
        pin_hash          varchar(200) NOT NULL,
        channel           varchar(16)  NOT NULL,
        intake_station_id varchar(32),
        station_id        varchar(32),
        governorate_code  varchar(8)   NOT NULL,
        anonymous         boolean      NOT NULL,
        has_contact       boolean      NOT NULL,
        language          varchar(2)   NOT NULL,
        age_band          varchar(16),
        status            varchar(32)  NOT NULL,
        status_since      timestamptz  NOT NULL,
        received_at       timestamptz  NOT NULL,
        investigator_id   varchar(200),
        investigator_unit varchar(32),
        ledger_sequence   integer      NOT NULL DEFAULT 0,
        ledger_head       varchar(64)  NOT NULL,
        closed_at         timestamptz,
        erased_at         timestamptz
    )
    """,
    "CREATE INDEX complaints_station ON complaints (station_id)",
    "CREATE INDEX complaints_governorate ON complaints (governorate_code)",
    "CREATE INDEX complaints_investigator ON complaints (investigator_id)",
    "CREATE INDEX complaints_open ON complaints (status) WHERE status <> 'closed'",
    """
    CREATE TABLE allegations (
        allegation_id     uuid PRIMARY KEY,
        complaint_id      uuid NOT NULL REFERENCES complaints (complaint_id),
        position          integer     NOT NULL,
        category          varchar(40) NOT NULL,
        subject_kind      varchar(8)  NOT NULL,
        station_id        varchar(32),
        unit_code         varchar(32),
        officer_pseudonym varchar(64),
        finding           varchar(32),
        finding_at        timestamptz
    )
    """,
    "CREATE INDEX allegations_complaint ON allegations (complaint_id)",
    """
    CREATE TABLE complaint_events (
        id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        complaint_id     uuid        NOT NULL,
        governorate_code varchar(8)  NOT NULL,
        event_id         uuid        NOT NULL UNIQUE,
        event_type       varchar(80) NOT NULL,
        sequence         integer,
        data             text        NOT NULL,
        at               timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT complaint_events_chain UNIQUE (complaint_id, sequence)
    )
    """,
    "CREATE INDEX complaint_events_complaint ON complaint_events (complaint_id)",
    """
    CREATE TABLE clock_events (
        complaint_id uuid        NOT NULL,
        clock        varchar(32) NOT NULL,
        instance     varchar(80) NOT NULL,
        kind         varchar(12) NOT NULL,
        due_at       timestamptz NOT NULL,
        at           timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (complaint_id, clock, instance, kind)
    )
    """,
    """
    CREATE TABLE oversight_bodies (
        body_id      varchar(32)  PRIMARY KEY,
        title        varchar(200) NOT NULL,
        national     boolean      NOT NULL,
        governorates varchar(8)[] NOT NULL
    )
    """,
    """
    CREATE TABLE recommendations (
        recommendation_id uuid PRIMARY KEY,
        complaint_id      uuid NOT NULL REFERENCES complaints (complaint_id),
        oversight_body    varchar(32) NOT NULL,
        category          varchar(32) NOT NULL,
        text              text        NOT NULL,
        made_at           timestamptz NOT NULL,
        respond_by        timestamptz NOT NULL,
        answer            varchar(8),
        answer_reason     varchar(32),
        answer_text       text,
        answered_by       varchar(200),
        answered_at       timestamptz
    )
    """,
    """
    CREATE TABLE notifications (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        complaint_id    uuid        NOT NULL,
        about           varchar(32) NOT NULL,
        language        varchar(2)  NOT NULL,
        state           varchar(8)  NOT NULL DEFAULT 'pending',
        channel         varchar(16),
        attempts        integer     NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error      varchar(200),
        created_at      timestamptz NOT NULL DEFAULT now(),
        sent_at         timestamptz
    )
    """,
    "CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE state = 'pending'",
    "CREATE INDEX notifications_complaint ON notifications (complaint_id)",
    """
    CREATE TABLE ledger_checkpoints (
        id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        created_at timestamptz  NOT NULL DEFAULT now(),
        body       text         NOT NULL,
        signature  varchar(200) NOT NULL
    )
    """,
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)
    for statement in rate_limit.V1:
        op.execute(statement)
    vault = MetaData()
    personal_data_tables(vault)
    vault.create_all(op.get_bind())


def downgrade() -> None:
    for table in (
        "personal_data_reads",
        "personal_data",
        "subject_keys",
        "rate_limits",
        "ledger_checkpoints",
        "notifications",
        "recommendations",
        "oversight_bodies",
        "clock_events",
        "complaint_events",
        "allegations",
        "complaints",
    ):
        op.drop_table(table)
