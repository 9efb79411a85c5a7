-- A workbook is a node of the file tree (kind 'workbook', so grants apply to it); its
-- document (pages, elements, action sequences) is JSON, read and written whole, with a
-- version that moves on each save.
CREATE TABLE workbook_documents (
    inode_id    UUID PRIMARY KEY REFERENCES inodes (id),
    document    TEXT NOT NULL,
    version     BIGINT NOT NULL,
    updated_by  UUID REFERENCES members (id),
    updated_at  TIMESTAMPTZ NOT NULL
);
