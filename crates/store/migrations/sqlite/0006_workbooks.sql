-- A workbook is a node of the file tree (kind 'workbook', so grants apply to it); its
-- document (pages, elements, action sequences) is JSON, read and written whole, with a
-- version that moves on each save.
CREATE TABLE workbook_documents (
    inode_id    BLOB PRIMARY KEY REFERENCES inodes (id),
    document    TEXT NOT NULL,
    version     INTEGER NOT NULL,
    updated_by  BLOB REFERENCES members (id),
    updated_at  TEXT NOT NULL
);
