-- Snapshots for tests (`/_sigil/snapshots`): each is a set of tables
-- `sigil_snapshot_<id>_<table>` holding copies of the live tables' rows; this
-- registry names them. A restore is recorded in the revocation feed as kind
-- `restore` (its subject the snapshot's time in Unix milliseconds): access tokens
-- issued between the snapshot and the restore are void on every node.
CREATE TABLE test_snapshots (
    name         TEXT PRIMARY KEY,
    id           INTEGER NOT NULL UNIQUE,
    taken_at     TEXT NOT NULL
);

-- SQLite cannot change a CHECK constraint in place: the feed is copied into a
-- table that allows the new kind. Sequence numbers are kept.
CREATE TABLE revocations_new (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL CHECK (kind IN ('credential', 'member', 'family', 'restore')),
    subject     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
INSERT INTO revocations_new (seq, kind, subject, created_at)
    SELECT seq, kind, subject, created_at FROM revocations;
DROP TABLE revocations;
ALTER TABLE revocations_new RENAME TO revocations;
