-- Snapshots for tests (`/_sigil/snapshots`): each is a set of tables
-- `sigil_snapshot_<id>_<table>` holding copies of the live tables' rows; this
-- registry names them. A restore is recorded in the revocation feed as kind
-- `restore` (its subject the snapshot's time in Unix milliseconds): access tokens
-- issued between the snapshot and the restore are void on every node.
CREATE TABLE test_snapshots (
    name         TEXT PRIMARY KEY,
    id           BIGINT NOT NULL UNIQUE,
    taken_at     TIMESTAMPTZ NOT NULL
);

ALTER TABLE revocations DROP CONSTRAINT revocations_kind_check;
ALTER TABLE revocations ADD CONSTRAINT revocations_kind_check
    CHECK (kind IN ('credential', 'member', 'family', 'restore'));
