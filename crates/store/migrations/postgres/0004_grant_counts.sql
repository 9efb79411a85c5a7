-- How many grants each node holds, kept by a trigger so that every way a grant comes
-- or goes (upsert, revoke, a deleted team's cascade, a bulk import) keeps it right.
-- A grants list's `total` reads it instead of counting what may be a million rows.
CREATE TABLE inode_grant_counts (
    inode_id  UUID PRIMARY KEY,
    grants    BIGINT NOT NULL
);

INSERT INTO inode_grant_counts (inode_id, grants)
    SELECT inode_id, COUNT(*) FROM grants GROUP BY inode_id;

CREATE FUNCTION sigil_count_grants() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO inode_grant_counts (inode_id, grants) VALUES (NEW.inode_id, 1)
        ON CONFLICT (inode_id) DO UPDATE SET grants = inode_grant_counts.grants + 1;
    ELSE
        UPDATE inode_grant_counts SET grants = grants - 1 WHERE inode_id = OLD.inode_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER grants_counted AFTER INSERT OR DELETE ON grants
    FOR EACH ROW EXECUTE FUNCTION sigil_count_grants();
