-- One member, several messengers: one-time codes that link another messenger's account to a
-- member, and where the member wants alerts and reminders delivered.

-- A code from /lienket, issued on one messenger (channel, chat_id) and redeemed on another.
-- Short-lived and single use: used_at is set by the one UPDATE that redeems it.
CREATE TABLE link_codes (
    code        TEXT PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES members(id),
    channel     TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX link_codes_member ON link_codes(member_id);

-- When the member last wrote from this identity: "the messenger used last" gets the alerts.
ALTER TABLE identities ADD COLUMN last_seen_at TEXT;

-- A messenger the member chose for alerts and reminders (/kenhnhan); NULL = the last used.
ALTER TABLE members ADD COLUMN preferred_channel TEXT;
