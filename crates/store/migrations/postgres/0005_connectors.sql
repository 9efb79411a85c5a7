-- Outbound API credentials, connectors, imported OpenAPI documents and the audit log
-- of connector calls. Structured parts (allowlists, params, config) are JSON text:
-- they are read and written whole, never queried inside.

CREATE TABLE api_credentials (
    id           UUID PRIMARY KEY,
    name         TEXT NOT NULL,
    description  TEXT,
    auth_method  TEXT NOT NULL,
    allowlist    TEXT NOT NULL,
    -- The credential without its secrets, as reads answer it.
    public       TEXT NOT NULL,
    -- The whole credential, AES-256-GCM sealed and bound to the id; names its key.
    sealed       TEXT NOT NULL,
    is_archived  BOOLEAN NOT NULL DEFAULT FALSE,
    created_by   UUID NOT NULL REFERENCES members (id),
    updated_by   UUID NOT NULL REFERENCES members (id),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX api_credentials_name ON api_credentials (is_archived, name, id);

CREATE TABLE api_connectors (
    id           UUID PRIMARY KEY,
    name         TEXT NOT NULL,
    description  TEXT,
    auth_id      UUID REFERENCES api_credentials (id),
    params       TEXT NOT NULL,
    config       TEXT NOT NULL,
    is_archived  BOOLEAN NOT NULL DEFAULT FALSE,
    created_by   UUID NOT NULL REFERENCES members (id),
    updated_by   UUID NOT NULL REFERENCES members (id),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX api_connectors_name ON api_connectors (is_archived, name, id);

CREATE TABLE api_documents (
    id               UUID PRIMARY KEY,
    name             TEXT NOT NULL,
    source_url       TEXT,
    spec_version     TEXT NOT NULL,
    title            TEXT NOT NULL,
    operation_count  BIGINT NOT NULL,
    body             TEXT NOT NULL,
    created_by       UUID NOT NULL REFERENCES members (id),
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX api_documents_name ON api_documents (name, id);

CREATE TABLE api_calls (
    id              UUID PRIMARY KEY,
    connector_id    UUID NOT NULL REFERENCES api_connectors (id),
    member_id       UUID NOT NULL REFERENCES members (id),
    at              TIMESTAMPTZ NOT NULL,
    status          BIGINT,
    error           TEXT,
    duration_ms     DOUBLE PRECISION NOT NULL,
    bytes_sent      BIGINT NOT NULL,
    bytes_received  BIGINT NOT NULL,
    -- Only when the configuration asks for bodies to be recorded.
    response_body   TEXT
);
CREATE INDEX api_calls_connector ON api_calls (connector_id, at DESC, id);
