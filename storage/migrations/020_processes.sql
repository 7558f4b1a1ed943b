-- Several bot processes on one database: who is alive, who is sending what.

-- One row per running `antt-bot run`, beating every [cluster] heartbeat_seconds. A row whose
-- beat is older than [cluster] dead_after_seconds is a dead process: its claimed outbox rows
-- and its journaled updates are taken over by the living. `node` tells processes of one
-- kernel and pid namespace apart, so a process of the same machine whose pid is gone is
-- known dead at once. `channels` lists the messengers it sends to (",telegram,zalo,"), so
-- each divides a bot token's rate by the number of processes sending through it.
CREATE TABLE processes (
    process_id  TEXT PRIMARY KEY,
    node        TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    pid_start   TEXT NOT NULL,
    channels    TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    beat_at     TEXT NOT NULL
);

-- The process that claimed a row being sent ('sending') and when: only a dead owner's rows
-- go back to the queue. NULL: claimed by a bot of before this migration, or by a sender
-- with no process row (tests, the demo), which recovers them at its start as before.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_at TEXT;
-- A chat's rows are sent by one process at a time, at the chat's pace.
CREATE INDEX outbox_chat ON outbox(channel, chat_id, status);

-- The process that received (journaled) an update: when it dies before handling it, a
-- living process replays it.
ALTER TABLE inbound_journal ADD COLUMN received_by TEXT;
CREATE INDEX inbound_journal_receiver ON inbound_journal(channel, received_by, received_at);
