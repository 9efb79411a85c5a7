-- Export schedules of workbooks, kept as records: sigil sends nothing on a schedule,
-- but keeps what clients create, change, pause and list. `targets`, `schedule` and
-- `config` are JSON text: the recipients, the cron spec and time zone, and the
-- export's settings as Sigma answers them (`configV2`). A workbook's rows go with it.
CREATE TABLE export_schedules (
    id             BLOB PRIMARY KEY,
    workbook_id    BLOB NOT NULL REFERENCES inodes (id) ON DELETE CASCADE,
    owner_id       BLOB NOT NULL REFERENCES members (id),
    targets        TEXT NOT NULL,
    schedule       TEXT NOT NULL,
    config         TEXT NOT NULL,
    description    TEXT,
    is_suspended   BOOLEAN NOT NULL DEFAULT FALSE,
    disabled_at    TEXT,
    disabled_by    BLOB REFERENCES members (id),
    created_by     BLOB NOT NULL REFERENCES members (id),
    updated_by     BLOB NOT NULL REFERENCES members (id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX export_schedules_workbook ON export_schedules (workbook_id, id);
