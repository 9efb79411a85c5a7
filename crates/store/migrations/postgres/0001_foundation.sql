-- Foundation: the organization, account types, members, API client credentials,
-- refresh tokens and the revocation feed. Keep in step with
-- ../sqlite/0001_foundation.sql.

CREATE TABLE organizations (
    id          UUID PRIMARY KEY,
    -- A sigil database holds exactly one organization.
    singleton   INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1),
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE account_types (
    id               UUID PRIMARY KEY,
    organization_id  UUID NOT NULL REFERENCES organizations (id),
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    builtin          BOOLEAN NOT NULL,
    permissions      TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (organization_id, name)
);

CREATE TABLE members (
    id               UUID PRIMARY KEY,
    organization_id  UUID NOT NULL REFERENCES organizations (id),
    email            TEXT NOT NULL,
    first_name       TEXT NOT NULL DEFAULT '',
    last_name        TEXT NOT NULL DEFAULT '',
    account_type_id  UUID NOT NULL REFERENCES account_types (id),
    password_hash    TEXT,
    is_inactive      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (organization_id, email)
);

CREATE TABLE client_credentials (
    client_id        TEXT PRIMARY KEY,
    organization_id  UUID NOT NULL REFERENCES organizations (id),
    owner_id         UUID NOT NULL REFERENCES members (id),
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    scopes           TEXT NOT NULL,
    secret_hash      BYTEA NOT NULL,
    created_by       UUID REFERENCES members (id),
    created_at       TIMESTAMPTZ NOT NULL,
    revoked_at       TIMESTAMPTZ
);
CREATE INDEX client_credentials_owner ON client_credentials (owner_id);

CREATE TABLE refresh_tokens (
    token_hash  BYTEA PRIMARY KEY,
    family_id   UUID NOT NULL,
    client_id   TEXT REFERENCES client_credentials (client_id),
    member_id   UUID NOT NULL REFERENCES members (id),
    actor_id    UUID REFERENCES members (id),
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_client ON refresh_tokens (client_id);
CREATE INDEX refresh_tokens_member ON refresh_tokens (member_id);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);

CREATE TABLE revocations (
    seq         BIGSERIAL PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('credential', 'member', 'family')),
    subject     TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
