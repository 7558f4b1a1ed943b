-- Reminders, leave, announcements and a rate-limited outbox (issue 4).

-- Urgent rows (alerts and what answers them) go out during quiet hours; the rest wait for
-- the morning. A row past `expires_at` is not sent at all (a reminder after its deadline).
ALTER TABLE outbox ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN expires_at TEXT;
UPDATE outbox SET urgent = 1
 WHERE dedupe_key LIKE 'alert:%' OR dedupe_key LIKE 'ack-%' OR dedupe_key LIKE 'link-notice:%';
DROP INDEX outbox_due;
-- The sender reads urgent rows first, then the rest, each in not_before order.
CREATE INDEX outbox_queue ON outbox(channel, status, urgent, not_before);
-- `antt-bot outbox` and announcement progress count rows by status and key prefix.
CREATE INDEX outbox_status ON outbox(status, dedupe_key);

-- Set when the messenger says the user blocked the bot; cleared when they write again.
ALTER TABLE identities ADD COLUMN unreachable_at TEXT;

-- Days a member is excused (nghỉ phép, ốm): no reminders, not counted against compliance.
CREATE TABLE leaves (
    id            INTEGER PRIMARY KEY,
    member_id     INTEGER NOT NULL REFERENCES members(id),
    start_date    TEXT NOT NULL,
    end_date      TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    recorded_by   INTEGER NOT NULL REFERENCES members(id),
    created_at    TEXT NOT NULL,
    cancelled_at  TEXT,
    cancelled_by  INTEGER REFERENCES members(id)
);
CREATE INDEX leaves_member ON leaves(member_id, start_date);

-- Each schedule slot planned or skipped, recorded in the transaction that queued its
-- messages: a restart knows which slots it missed, and none is planned twice.
CREATE TABLE schedule_slots (
    job       TEXT NOT NULL,
    slot      TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    queued    INTEGER NOT NULL DEFAULT 0,
    at        TEXT NOT NULL,
    PRIMARY KEY (job, slot)
);

-- /thongbao: one row per announcement; its messages are outbox rows 'announce:<id>:...'.
CREATE TABLE announcements (
    id            INTEGER PRIMARY KEY,
    member_id     INTEGER NOT NULL REFERENCES members(id),
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    text          TEXT NOT NULL,
    recipients    INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    progress_outbox_id INTEGER REFERENCES outbox(id),
    reported      TEXT NOT NULL DEFAULT '',
    finished_at   TEXT
);
CREATE INDEX announcements_open ON announcements(finished_at);
