-- Version tags (`/v2/tags`) and the workbook versions they mark
-- (`POST /v2/workbooks/tag`): a tag marks at most one version of each workbook;
-- tagging another version moves it. A tagged version is read back from
-- workbook_versions, which keeps every version's document.
CREATE TABLE version_tags (
    id           UUID PRIMARY KEY,
    name         TEXT NOT NULL,
    -- The name in lower case: names are unique without regard to case.
    name_key     TEXT NOT NULL UNIQUE,
    description  TEXT NOT NULL,
    color        TEXT NOT NULL,
    owner_id     UUID NOT NULL REFERENCES members (id),
    created_by   UUID NOT NULL REFERENCES members (id),
    updated_by   UUID NOT NULL REFERENCES members (id),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE workbook_tags (
    workbook_id         UUID NOT NULL REFERENCES inodes (id) ON DELETE CASCADE,
    tag_id              UUID NOT NULL REFERENCES version_tags (id) ON DELETE CASCADE,
    version             BIGINT NOT NULL,
    -- Sigma's `taggedWorkbookId`: the id of this workbook as of this tag.
    tagged_workbook_id  UUID NOT NULL UNIQUE,
    -- Sigma's isDefault, kept as a record: sigil holds no grants on tagged versions,
    -- so nothing is served differently because of it.
    is_default          BOOLEAN NOT NULL,
    tagged_by           UUID NOT NULL REFERENCES members (id),
    tagged_at           TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workbook_id, tag_id)
);
CREATE INDEX workbook_tags_tag ON workbook_tags (tag_id);
