-- Members get Sigma's remaining fields; teams and their members; the file tree's
-- first nodes (home folders and team workspaces) and grants on them. Keep in step
-- with ../sqlite/0002_members_teams.sql.

ALTER TABLE members ADD COLUMN user_kind TEXT NOT NULL DEFAULT 'internal'
    CHECK (user_kind IN ('internal', 'guest', 'embed'));
ALTER TABLE members ADD COLUMN is_archived BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE members ADD COLUMN profile_img_url TEXT;
ALTER TABLE members ADD COLUMN created_by UUID REFERENCES members (id);
ALTER TABLE members ADD COLUMN updated_by UUID REFERENCES members (id);
ALTER TABLE members ADD COLUMN home_folder_id UUID;
-- `sendInvite` is recorded; sigil sends no mail.
ALTER TABLE members ADD COLUMN invite_requested BOOLEAN NOT NULL DEFAULT FALSE;

-- Nodes of the file tree: workspaces, folders (including home folders), workbooks.
CREATE TABLE inodes (
    id           UUID PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('workspace', 'folder', 'home', 'workbook')),
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    parent_id    UUID REFERENCES inodes (id),
    owner_id     UUID REFERENCES members (id),
    created_by   UUID REFERENCES members (id),
    updated_by   UUID REFERENCES members (id),
    is_archived  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX inodes_parent ON inodes (parent_id);
CREATE INDEX inodes_owner ON inodes (owner_id);

CREATE TABLE teams (
    id            UUID PRIMARY KEY,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    visibility    TEXT NOT NULL CHECK (visibility IN ('public', 'private')),
    workspace_id  UUID REFERENCES inodes (id),
    is_archived   BOOLEAN NOT NULL DEFAULT FALSE,
    created_by    UUID REFERENCES members (id),
    updated_by    UUID REFERENCES members (id),
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX teams_name ON teams (name, id);

CREATE TABLE team_members (
    team_id        UUID NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    member_id      UUID NOT NULL REFERENCES members (id),
    is_team_admin  BOOLEAN NOT NULL DEFAULT FALSE,
    added_by       UUID REFERENCES members (id),
    created_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (team_id, member_id)
);
CREATE INDEX team_members_member ON team_members (member_id);

-- One grant per grantee per node.
CREATE TABLE grants (
    id          UUID PRIMARY KEY,
    inode_id    UUID NOT NULL REFERENCES inodes (id) ON DELETE CASCADE,
    member_id   UUID REFERENCES members (id),
    team_id     UUID REFERENCES teams (id) ON DELETE CASCADE,
    permission  TEXT NOT NULL CHECK (permission IN ('view', 'explore', 'organize', 'edit')),
    created_by  UUID REFERENCES members (id),
    updated_by  UUID REFERENCES members (id),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    CHECK ((member_id IS NULL) <> (team_id IS NULL))
);
CREATE UNIQUE INDEX grants_member ON grants (inode_id, member_id) WHERE member_id IS NOT NULL;
CREATE UNIQUE INDEX grants_team ON grants (inode_id, team_id) WHERE team_id IS NOT NULL;
CREATE INDEX grants_by_team ON grants (team_id);
CREATE INDEX grants_by_member ON grants (member_id);
