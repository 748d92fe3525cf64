"""Alert re-evaluation queued once per statement on weekly_counts, not once per row.

The row triggers of 0003 ran a PL/pgSQL call and a station_periods lookup for every count a
statement touched: a bulk batch upserts about 10,000 counts, and the triggers were a third of
its upsert (measured: `jisr bench bulk`). These statement triggers read the rows the statement
inserted or changed (transition tables) and queue the same (station, week) pairs with one
join: a closed week (a station_periods row) whose count was inserted non-zero, or changed.

Transition tables allow neither a column list (`UPDATE OF n`) nor a WHEN clause, so the
update trigger compares old and new n itself, row by row on the key; a row without its old
self (a key that changed) counts as changed. Pairs go in key order: two transactions queueing
overlapping weeks take the rows' locks in the same order and cannot deadlock on them.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

STATEMENTS: tuple[str, ...] = (
    "DROP TRIGGER weekly_counts_inserted ON weekly_counts",
    "DROP TRIGGER weekly_counts_changed ON weekly_counts",
    "DROP FUNCTION alert_recheck_closed_week()",
    "CREATE FUNCTION alert_recheck_inserted_weeks() RETURNS trigger LANGUAGE plpgsql"
    " SET search_path FROM CURRENT AS $$"
    " BEGIN"
    " INSERT INTO alert_rechecks (station_id, week_start)"
    " SELECT DISTINCT c.station_id, c.week_start FROM inserted_counts c"
    " WHERE c.n <> 0 AND EXISTS (SELECT 1 FROM station_periods p"
    " WHERE p.station_id = c.station_id AND p.week_start = c.week_start)"
    " ORDER BY 1, 2"
    " ON CONFLICT DO NOTHING;"
    " RETURN NULL;"
    " END $$",
    "CREATE FUNCTION alert_recheck_changed_weeks() RETURNS trigger LANGUAGE plpgsql"
    " SET search_path FROM CURRENT AS $$"
    " BEGIN"
    " INSERT INTO alert_rechecks (station_id, week_start)"
    " SELECT DISTINCT c.station_id, c.week_start FROM changed_counts c"
    " LEFT JOIN previous_counts o USING (station_id, iccs_code, counting_rules_version,"
    " week_start)"
    " WHERE o.n IS DISTINCT FROM c.n AND EXISTS (SELECT 1 FROM station_periods p"
    " WHERE p.station_id = c.station_id AND p.week_start = c.week_start)"
    " ORDER BY 1, 2"
    " ON CONFLICT DO NOTHING;"
    " RETURN NULL;"
    " END $$",
    "CREATE TRIGGER weekly_counts_inserted AFTER INSERT ON weekly_counts"
    " REFERENCING NEW TABLE AS inserted_counts"
    " FOR EACH STATEMENT EXECUTE FUNCTION alert_recheck_inserted_weeks()",
    "CREATE TRIGGER weekly_counts_changed AFTER UPDATE ON weekly_counts"
    " REFERENCING OLD TABLE AS previous_counts NEW TABLE AS changed_counts"
    " FOR EACH STATEMENT EXECUTE FUNCTION alert_recheck_changed_weeks()",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("forward-only migration")
