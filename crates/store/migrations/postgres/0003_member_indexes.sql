-- Member lists are ordered by email and usually filtered to active, unarchived
-- members: this index serves the keyset seek, the order and the count. The plain
-- email index serves lists that include archived or inactive members.
CREATE INDEX members_status_email ON members (is_archived, is_inactive, email);
CREATE INDEX members_email ON members (email);
