-- Several bot processes on one database: who is alive, who is sending what (the PostgreSQL
-- mirror of storage/migrations/020_processes.sql; comments there).
CREATE TABLE processes (
    process_id  TEXT PRIMARY KEY,
    node        TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    pid_start   TEXT NOT NULL,
    channels    TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    beat_at     TEXT NOT NULL
);

ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_at TEXT;
CREATE INDEX outbox_chat ON outbox(channel, chat_id, status);

ALTER TABLE inbound_journal ADD COLUMN received_by TEXT;
CREATE INDEX inbound_journal_receiver ON inbound_journal(channel, received_by, received_at);
