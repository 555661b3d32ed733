-- +goose Up
-- A schedule starts the next access review of a system from an
-- integration's latest account resources once each period ends. opens_on
-- is the day after the period that starts on next_start: a schedule is due
-- when opens_on has come, and whichever process moves next_start on first
-- opens the review (see store.StartDueAccessReviews).
CREATE TABLE access_review_schedules (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    system         TEXT NOT NULL,
    integration_id INTEGER NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    control_id     TEXT NOT NULL DEFAULT '',
    every_months   INTEGER NOT NULL DEFAULT 3,
    next_start     TEXT NOT NULL,
    opens_on       TEXT NOT NULL,
    last_review_id INTEGER REFERENCES access_reviews (id) ON DELETE SET NULL,
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (org_id, system)
);
CREATE INDEX access_review_schedules_due ON access_review_schedules (opens_on);

-- +goose Down
DROP TABLE access_review_schedules;
