-- How many grants each node holds, kept by triggers so that every way a grant comes
-- or goes (upsert, revoke, a deleted team's cascade, a bulk import) keeps it right.
-- A grants list's `total` reads it instead of counting what may be a million rows.
CREATE TABLE inode_grant_counts (
    inode_id  BLOB PRIMARY KEY,
    grants    INTEGER NOT NULL
);

INSERT INTO inode_grant_counts (inode_id, grants)
    SELECT inode_id, COUNT(*) FROM grants GROUP BY inode_id;

CREATE TRIGGER grants_counted_on_insert AFTER INSERT ON grants
BEGIN
    INSERT OR IGNORE INTO inode_grant_counts (inode_id, grants) VALUES (NEW.inode_id, 0);
    UPDATE inode_grant_counts SET grants = grants + 1 WHERE inode_id = NEW.inode_id;
END;

CREATE TRIGGER grants_counted_on_delete AFTER DELETE ON grants
BEGIN
    UPDATE inode_grant_counts SET grants = grants - 1 WHERE inode_id = OLD.inode_id;
END;
