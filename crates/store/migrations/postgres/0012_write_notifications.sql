-- Every node keeps reads in memory only while it hears of every write: each
-- statement that changes a table a cached read depends on notifies the channel
-- `sigil_writes` with the table's name. PostgreSQL delivers the notification when
-- the transaction commits (and folds repeats within one transaction), so a node
-- that hears it reads the committed rows. Logs no cached read depends on (connector
-- calls, workbook runs, web sessions, refresh tokens) stay quiet.
CREATE FUNCTION sigil_notify_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sigil_writes', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['organizations', 'account_types', 'members',
        'client_credentials', 'revocations', 'inodes', 'teams', 'team_members', 'grants',
        'inode_grant_counts', 'api_credentials', 'api_connectors', 'api_documents',
        'workbook_documents', 'workbook_versions']
    LOOP
        EXECUTE format('CREATE TRIGGER sigil_writes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I
            FOR EACH STATEMENT EXECUTE FUNCTION sigil_notify_write()', t);
    END LOOP;
END;
$$;
