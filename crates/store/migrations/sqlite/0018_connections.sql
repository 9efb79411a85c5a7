-- Warehouse connections, kept as records: sigil runs no warehouse query, but keeps a
-- connection's settings (its secrets sealed, in `sealed`), the paths clients looked
-- up in it, and the grants on it and on its paths. A connection is archived, not
-- deleted, so that `restore` can bring it back with its paths and grants.
CREATE TABLE connections (
    id              BLOB PRIMARY KEY,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    settings        TEXT NOT NULL,
    sealed          TEXT,
    is_archived     BOOLEAN NOT NULL DEFAULT FALSE,
    created_by      BLOB NOT NULL REFERENCES members (id),
    updated_by      BLOB NOT NULL REFERENCES members (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    last_active_at  TEXT NOT NULL
);
CREATE INDEX connections_name ON connections (name, id);

-- A path in a connection (`["DB", "SCHEMA", "TABLE"]`, as JSON text): a table when
-- it names as many parts as the connection's type has, a scope above that.
CREATE TABLE connection_paths (
    id             BLOB PRIMARY KEY,
    connection_id  BLOB NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    path           TEXT NOT NULL,
    is_table       BOOLEAN NOT NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (connection_id, path)
);

-- A grant on a connection (`target_id` is the connection's id) or on one of its
-- paths (`target_id` is the path's id): one per grantee per target.
CREATE TABLE connection_grants (
    id             BLOB PRIMARY KEY,
    connection_id  BLOB NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    target_id      BLOB NOT NULL,
    member_id      BLOB REFERENCES members (id),
    team_id        BLOB REFERENCES teams (id) ON DELETE CASCADE,
    permission     TEXT NOT NULL CHECK (permission IN ('usage', 'annotate')),
    created_by     BLOB NOT NULL REFERENCES members (id),
    updated_by     BLOB NOT NULL REFERENCES members (id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CHECK ((member_id IS NULL) <> (team_id IS NULL))
);
CREATE UNIQUE INDEX connection_grants_member ON connection_grants (target_id, member_id)
    WHERE member_id IS NOT NULL;
CREATE UNIQUE INDEX connection_grants_team ON connection_grants (target_id, team_id)
    WHERE team_id IS NOT NULL;
CREATE INDEX connection_grants_connection ON connection_grants (connection_id);
