-- +goose Up
-- Each check's state on each day (1 results and no failure, 2 a failure
-- within its remediation window, 3 a failure past it) and whether a run
-- recorded results that day, kept as results are
-- stored, so that a control's timeline and its automated evidence slots
-- read one row a day instead of every result interval. days_built marks a
-- check whose earlier history has been folded in; first_deadline is the
-- earliest remediation deadline of its failures open at the last run,
-- which carries the days since that run.
CREATE TABLE check_days (
    org_id   INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    check_id TEXT NOT NULL,
    day      TEXT NOT NULL,
    state    INTEGER NOT NULL,
    ran      BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (org_id, check_id, day)
);
ALTER TABLE monitor_checks ADD COLUMN days_built BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE monitor_checks ADD COLUMN first_deadline TIMESTAMP;

-- +goose Down
ALTER TABLE monitor_checks DROP COLUMN first_deadline;
ALTER TABLE monitor_checks DROP COLUMN days_built;
DROP TABLE check_days;
