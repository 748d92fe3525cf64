"""Baseline method registry, convergence flags and alert re-evaluation on changed weeks.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATEMENTS: tuple[str, ...] = (
    # What an alert's event says about its method and the statistic it compared.
    "ALTER TABLE alerts ADD COLUMN method_version varchar(16)",
    "ALTER TABLE alerts ADD COLUMN statistic double precision",
    # A closed week whose counts changed (late upload, correction, reclassification) waits
    # here until its alerts are evaluated again; the row commits with the change itself.
    "CREATE TABLE alert_rechecks ("
    " station_id varchar(32) NOT NULL, week_start date NOT NULL,"
    " changed_at timestamptz NOT NULL DEFAULT now(),"
    " PRIMARY KEY (station_id, week_start))",
    "CREATE FUNCTION alert_recheck_closed_week() RETURNS trigger LANGUAGE plpgsql"
    " SET search_path FROM CURRENT AS $$"
    " BEGIN"
    " IF EXISTS (SELECT 1 FROM station_periods p"
    " WHERE p.station_id = NEW.station_id AND p.week_start = NEW.week_start) THEN"
    " INSERT INTO alert_rechecks (station_id, week_start)"
    " VALUES (NEW.station_id, NEW.week_start) ON CONFLICT DO NOTHING;"
    " END IF;"
    " RETURN NULL;"
    " END $$",
    "CREATE TRIGGER weekly_counts_inserted AFTER INSERT ON weekly_counts"
    " FOR EACH ROW WHEN (NEW.n <> 0) EXECUTE FUNCTION alert_recheck_closed_week()",
    "CREATE TRIGGER weekly_counts_changed AFTER UPDATE OF n ON weekly_counts"
    " FOR EACH ROW WHEN (OLD.n IS DISTINCT FROM NEW.n)"
    " EXECUTE FUNCTION alert_recheck_closed_week()",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("forward-only migration")
