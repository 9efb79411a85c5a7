-- User attributes (`/v2/user-attributes`): named values with a default, set per
-- member, per team (with a priority: the order teams were given the attribute,
-- lower wins when a member's teams disagree) and per tenant (the organization
-- itself). A deleted attribute, team or member takes its values with it.
CREATE TABLE user_attributes (
    id             BLOB PRIMARY KEY,
    name           TEXT NOT NULL,
    -- The name in lower case: names are unique without regard to case.
    name_key       TEXT NOT NULL UNIQUE,
    description    TEXT,
    default_value  TEXT,
    created_by     BLOB NOT NULL REFERENCES members (id),
    updated_by     BLOB NOT NULL REFERENCES members (id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE user_attribute_members (
    attribute_id  BLOB NOT NULL REFERENCES user_attributes (id) ON DELETE CASCADE,
    holder_id     BLOB NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    value         TEXT NOT NULL,
    priority      BIGINT NOT NULL,
    created_by    BLOB NOT NULL REFERENCES members (id),
    updated_by    BLOB NOT NULL REFERENCES members (id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (attribute_id, holder_id)
);
CREATE INDEX user_attribute_members_holder ON user_attribute_members (holder_id);

CREATE TABLE user_attribute_teams (
    attribute_id  BLOB NOT NULL REFERENCES user_attributes (id) ON DELETE CASCADE,
    holder_id     BLOB NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    value         TEXT NOT NULL,
    priority      BIGINT NOT NULL,
    created_by    BLOB NOT NULL REFERENCES members (id),
    updated_by    BLOB NOT NULL REFERENCES members (id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (attribute_id, holder_id)
);
CREATE INDEX user_attribute_teams_holder ON user_attribute_teams (holder_id);

CREATE TABLE user_attribute_tenants (
    attribute_id  BLOB NOT NULL REFERENCES user_attributes (id) ON DELETE CASCADE,
    holder_id     BLOB NOT NULL REFERENCES organizations (id),
    value         TEXT NOT NULL,
    priority      BIGINT NOT NULL,
    created_by    BLOB NOT NULL REFERENCES members (id),
    updated_by    BLOB NOT NULL REFERENCES members (id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (attribute_id, holder_id)
);
