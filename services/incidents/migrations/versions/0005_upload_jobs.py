"""Bulk uploads as jobs: the job (who, progress, state), the file's bytes until it is done, and
its error report.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

STATEMENTS: tuple[str, ...] = (
    # One upload. Its counters and resume_line change in the same transaction as each batch
    # of rows they count, so a job resumed after a crash goes on from resume_line exactly:
    # nothing counted twice, nothing stored and not counted. updated_at is the lease: a
    # running job not updated for a while lost its process and is taken up again.
    "CREATE TABLE upload_jobs ("
    " job_id uuid PRIMARY KEY,"
    " subject varchar(128) NOT NULL,"
    " station_scoped boolean NOT NULL,"
    " station_id varchar(32),"
    " content_type varchar(100) NOT NULL,"
    " state varchar(16) NOT NULL"
    " CHECK (state IN ('receiving', 'queued', 'running', 'done', 'failed')),"
    " bytes bigint NOT NULL DEFAULT 0,"
    " chunks integer NOT NULL DEFAULT 0,"
    " lines integer NOT NULL DEFAULT 0,"
    " stored integer NOT NULL DEFAULT 0,"
    " duplicates integer NOT NULL DEFAULT 0,"
    " rejected integer NOT NULL DEFAULT 0,"
    " errors integer NOT NULL DEFAULT 0,"
    " resume_line integer NOT NULL DEFAULT 0,"
    " attempts integer NOT NULL DEFAULT 0,"
    " failure text,"
    " created_at timestamptz NOT NULL DEFAULT now(),"
    " updated_at timestamptz NOT NULL DEFAULT now(),"
    " finished_at timestamptz)",
    "CREATE INDEX upload_jobs_open ON upload_jobs (updated_at)"
    " WHERE state IN ('queued', 'running')",
    "CREATE INDEX upload_jobs_station ON upload_jobs (station_id, created_at)",
    # The uploaded bytes, in pieces of about 1 MiB, kept until the job is done so that a
    # job interrupted by a restart can be resumed; deleted with the job's end.
    "CREATE TABLE upload_job_chunks ("
    " job_id uuid NOT NULL REFERENCES upload_jobs ON DELETE CASCADE,"
    " seq integer NOT NULL,"
    " data bytea NOT NULL,"
    " PRIMARY KEY (job_id, seq))",
    # The error report: each bad row's line, field and rule, numbered in the order found
    # (at most libs.chassis.uploads.MAX_REPORTED_ERRORS a job).
    "CREATE TABLE upload_job_errors ("
    " job_id uuid NOT NULL REFERENCES upload_jobs ON DELETE CASCADE,"
    " n integer NOT NULL,"
    " line integer NOT NULL,"
    " field text NOT NULL,"
    " rule text NOT NULL,"
    " PRIMARY KEY (job_id, n))",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("forward-only migration")
