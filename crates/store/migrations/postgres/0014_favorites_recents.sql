-- A member's favorite documents and folders (`/v2/favorites`,
-- `GET /v2/members/{id}/files/favorites`) and the documents it opened last
-- (`GET /v2/members/{id}/files/recents`; one row per member and document, moved on
-- by each open). A node's rows go with it. Times are Unix microseconds: they order
-- the lists, and SQLite's text timestamps do not sort by time.
CREATE TABLE favorites (
    member_id   UUID NOT NULL REFERENCES members (id),
    inode_id    UUID NOT NULL REFERENCES inodes (id) ON DELETE CASCADE,
    created_us  BIGINT NOT NULL,
    PRIMARY KEY (member_id, inode_id)
);
CREATE INDEX favorites_by_member ON favorites (member_id, created_us);

CREATE TABLE recents (
    member_id   UUID NOT NULL REFERENCES members (id),
    inode_id    UUID NOT NULL REFERENCES inodes (id) ON DELETE CASCADE,
    opened_us   BIGINT NOT NULL,
    PRIMARY KEY (member_id, inode_id)
);
CREATE INDEX recents_by_member ON recents (member_id, opened_us);
