-- Updates whose handling raised. Each failure is counted (across restarts: a journaled update
-- is replayed at every start until it succeeds); after [inbound] max_attempts the update is
-- set aside: kept, never replayed again, listed by `antt-bot updates`. `error` holds the
-- exception's type only, never a message that could carry what the user typed.
CREATE TABLE update_failures (
    channel       TEXT NOT NULL,
    update_key    TEXT NOT NULL,
    attempts      INTEGER NOT NULL,
    error         TEXT NOT NULL,
    first_at      TEXT NOT NULL,
    last_at       TEXT NOT NULL,
    told_at       TEXT,
    set_aside_at  TEXT,
    PRIMARY KEY (channel, update_key)
);
CREATE INDEX update_failures_set_aside ON update_failures(set_aside_at);
CREATE INDEX inbound_journal_received ON inbound_journal(channel, received_at);
CREATE INDEX processed_updates_at ON processed_updates(channel, at);
