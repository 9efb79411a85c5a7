-- Sessions of the web pages. Only a SHA-256 of the cookie's random id is kept; the
-- CSRF token is per session. Kept in the database so that every node sharing it
-- knows every session.
CREATE TABLE web_sessions (
    id_hash      BYTEA PRIMARY KEY,
    member_id    UUID NOT NULL REFERENCES members (id),
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX web_sessions_member ON web_sessions (member_id);
CREATE INDEX web_sessions_last_seen ON web_sessions (last_seen_at);
