-- Foundation: the organization, account types, members, API client credentials,
-- refresh tokens and the revocation feed. Identifiers are UUIDs (BLOB), timestamps
-- RFC 3339 text in UTC. Keep in step with ../postgres/0001_foundation.sql.

CREATE TABLE organizations (
    id          BLOB PRIMARY KEY,
    -- A sigil database holds exactly one organization.
    singleton   INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1),
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE account_types (
    id               BLOB PRIMARY KEY,
    organization_id  BLOB NOT NULL REFERENCES organizations (id),
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    builtin          BOOLEAN NOT NULL,
    -- Permission names separated by commas, e.g. 'view,explore'.
    permissions      TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    UNIQUE (organization_id, name)
);

CREATE TABLE members (
    id               BLOB PRIMARY KEY,
    organization_id  BLOB NOT NULL REFERENCES organizations (id),
    -- Stored lower-case: emails compare case-insensitively.
    email            TEXT NOT NULL,
    first_name       TEXT NOT NULL DEFAULT '',
    last_name        TEXT NOT NULL DEFAULT '',
    account_type_id  BLOB NOT NULL REFERENCES account_types (id),
    password_hash    TEXT,
    is_inactive      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (organization_id, email)
);

CREATE TABLE client_credentials (
    client_id        TEXT PRIMARY KEY,
    organization_id  BLOB NOT NULL REFERENCES organizations (id),
    owner_id         BLOB NOT NULL REFERENCES members (id),
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    scopes           TEXT NOT NULL,
    secret_hash      BLOB NOT NULL,
    created_by       BLOB REFERENCES members (id),
    created_at       TEXT NOT NULL,
    revoked_at       TEXT
);
CREATE INDEX client_credentials_owner ON client_credentials (owner_id);

CREATE TABLE refresh_tokens (
    token_hash  BLOB PRIMARY KEY,
    family_id   BLOB NOT NULL,
    client_id   TEXT REFERENCES client_credentials (client_id),
    member_id   BLOB NOT NULL REFERENCES members (id),
    actor_id    BLOB REFERENCES members (id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    revoked_at  TEXT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_client ON refresh_tokens (client_id);
CREATE INDEX refresh_tokens_member ON refresh_tokens (member_id);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);

-- Append-only feed of revocations; every node keeps an in-memory copy of the recent
-- part so that checking an access token needs no query.
CREATE TABLE revocations (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL CHECK (kind IN ('credential', 'member', 'family')),
    subject     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
