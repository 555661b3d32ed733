-- +goose Up
-- A run writes its resources as a new generation in short transactions,
-- then makes it the integration's current one in a single statement: pages
-- and other writers never wait on a whole collection, and readers see the
-- old snapshot or the new one, never a mix. Snapshots are collected again
-- by the next run, so the table starts empty.
DROP TABLE resources;
CREATE TABLE resources (
    org_id         BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    integration_id BIGINT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    gen            BIGINT NOT NULL,
    type           TEXT NOT NULL,
    rid            TEXT NOT NULL,
    name           TEXT NOT NULL DEFAULT '',
    attributes     TEXT NOT NULL DEFAULT '{}',
    collected_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, integration_id, gen, type, rid)
);
CREATE INDEX resources_type ON resources (org_id, type, integration_id, gen);
ALTER TABLE integrations ADD COLUMN resources_gen BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE integrations DROP COLUMN resources_gen;
DROP TABLE resources;
CREATE TABLE resources (
    org_id         BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    integration_id BIGINT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    type           TEXT NOT NULL,
    rid            TEXT NOT NULL,
    name           TEXT NOT NULL DEFAULT '',
    attributes     TEXT NOT NULL DEFAULT '{}',
    collected_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, integration_id, type, rid)
);
CREATE INDEX resources_type ON resources (org_id, type);
