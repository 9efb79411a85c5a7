-- Every saved version of a workbook's document: who saved it and when, for the version
-- history. Workbooks saved before this start their history at their current version.
CREATE TABLE workbook_versions (
    inode_id  BLOB NOT NULL REFERENCES inodes (id),
    version   INTEGER NOT NULL,
    document  TEXT NOT NULL,
    saved_by  BLOB REFERENCES members (id),
    saved_at  TEXT NOT NULL,
    PRIMARY KEY (inode_id, version)
);
INSERT INTO workbook_versions (inode_id, version, document, saved_by, saved_at)
    SELECT inode_id, version, document, updated_by, updated_at FROM workbook_documents;
