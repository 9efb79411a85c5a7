-- The trace of a workbook's runs: who ran which sequence when, and each step's
-- status, duration and HTTP status (a JSON array). Never a secret, never the values
-- typed. A webhook's run also keeps its whole outcome (the values it was given and
-- the upstream's answers), for whoever may read it, from any node. Only the newest
-- runs of each workbook are kept.
CREATE TABLE workbook_runs (
    id           UUID PRIMARY KEY,
    workbook_id  UUID NOT NULL REFERENCES inodes (id),
    member_id    UUID NOT NULL REFERENCES members (id),
    at           TIMESTAMPTZ NOT NULL,
    trigger_kind TEXT NOT NULL,
    sequence_id  TEXT NOT NULL,
    ok           BOOLEAN NOT NULL,
    failed_step  BIGINT,
    error        TEXT,
    duration_ms  DOUBLE PRECISION NOT NULL,
    steps        TEXT NOT NULL,
    finished     BOOLEAN NOT NULL,
    outcome      TEXT
);
CREATE INDEX workbook_runs_workbook ON workbook_runs (workbook_id, id);
