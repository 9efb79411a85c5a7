-- Saved views (Sigma's bookmarks) and embeds of workbooks, kept as records: sigil
-- applies no saved view's filters and serves no embed, but keeps what clients
-- create, change and list. A workbook's rows go with it.
CREATE TABLE bookmarks (
    id            UUID PRIMARY KEY,
    workbook_id   UUID NOT NULL REFERENCES inodes (id) ON DELETE CASCADE,
    version       BIGINT NOT NULL,
    name          TEXT NOT NULL,
    is_shared     BOOLEAN NOT NULL,
    is_default    BOOLEAN NOT NULL,
    explore_key   TEXT NOT NULL,
    owner_id      UUID NOT NULL REFERENCES members (id),
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX bookmarks_workbook ON bookmarks (workbook_id, name);

CREATE TABLE embeds (
    id            UUID PRIMARY KEY,
    workbook_id   UUID NOT NULL REFERENCES inodes (id) ON DELETE CASCADE,
    embed_type    TEXT NOT NULL,
    source_type   TEXT NOT NULL,
    source_id     TEXT,
    source_name   TEXT,
    created_by    UUID NOT NULL REFERENCES members (id),
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX embeds_workbook ON embeds (workbook_id, created_at);
