-- The unit tree: any depth, kind kept as data. `path` is the names from the root joined by '/',
-- so a subtree is an index range on `path` plus an exact prefix test (storage/subtree.py).
CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    parent_id   INTEGER REFERENCES units(id),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    path        TEXT NOT NULL UNIQUE,
    households  INTEGER,
    created_at  TEXT NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE members (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    role        TEXT NOT NULL,
    full_name   TEXT NOT NULL,
    locale      TEXT NOT NULL DEFAULT 'vi',
    active      INTEGER NOT NULL DEFAULT 1,
    joined_at   TEXT NOT NULL
);
CREATE INDEX members_unit ON members(unit_id, active);

-- One member may be reachable on several messengers; (channel, user_id) is the platform identity.
CREATE TABLE identities (
    channel     TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    member_id   INTEGER NOT NULL REFERENCES members(id),
    linked_at   TEXT NOT NULL,
    PRIMARY KEY (channel, user_id)
);
CREATE INDEX identities_member ON identities(member_id);

CREATE TABLE invites (
    code        TEXT PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    role        TEXT NOT NULL,
    uses_left   INTEGER NOT NULL,
    expires_at  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Per-year counter behind the human report number BC-YYYY-NNNNNN.
CREATE TABLE counters (
    name        TEXT PRIMARY KEY,
    value       INTEGER NOT NULL
);

CREATE TABLE reports (
    id           INTEGER PRIMARY KEY,
    number       TEXT NOT NULL UNIQUE,
    member_id    INTEGER NOT NULL REFERENCES members(id),
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    kind         TEXT NOT NULL,
    report_date  TEXT NOT NULL,
    data         TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'active',
    urgent       INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    edit_until   TEXT NOT NULL,
    ack_by       INTEGER REFERENCES members(id),
    ack_at       TEXT
);
CREATE INDEX reports_unit_date ON reports(unit_id, report_date, kind);
CREATE INDEX reports_member_date ON reports(member_id, report_date);

-- Team-mates who took part (patrols): counted for participation without parsing JSON.
CREATE TABLE report_participants (
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    member_id   INTEGER NOT NULL REFERENCES members(id),
    PRIMARY KEY (report_id, member_id)
);
CREATE INDEX report_participants_member ON report_participants(member_id);

CREATE TABLE report_media (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    field       TEXT NOT NULL,
    channel     TEXT NOT NULL,
    file_ref    TEXT NOT NULL
);

-- Every change to a report, kept for good: who, when, what it was and what it became.
CREATE TABLE report_audit (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    member_id   INTEGER NOT NULL REFERENCES members(id),
    action      TEXT NOT NULL,
    before      TEXT,
    after       TEXT,
    at          TEXT NOT NULL
);
CREATE INDEX report_audit_report ON report_audit(report_id);

-- Where each chat is in a dialog, with the draft so far; written as each answer arrives.
CREATE TABLE conversations (
    channel     TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    state       TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (channel, chat_id)
);

-- Platform update / message ids already handled: a replay is recognised and ignored.
CREATE TABLE processed_updates (
    channel     TEXT NOT NULL,
    update_key  TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (channel, update_key)
);

-- Messages the bot starts (alerts, acknowledgement notices): durable, deduplicated by key.
CREATE TABLE outbox (
    id                   INTEGER PRIMARY KEY,
    dedupe_key           TEXT NOT NULL UNIQUE,
    channel              TEXT NOT NULL,
    chat_id              TEXT NOT NULL,
    member_id            INTEGER REFERENCES members(id),
    payload              TEXT NOT NULL,
    not_before           TEXT NOT NULL,
    status               TEXT NOT NULL DEFAULT 'pending',
    attempts             INTEGER NOT NULL DEFAULT 0,
    last_error           TEXT,
    sent_at              TEXT,
    platform_message_id  TEXT,
    created_at           TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox(channel, status, not_before);

-- Which alert message went to which officer, so the button can be removed for the others.
CREATE TABLE alerts (
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    member_id   INTEGER NOT NULL REFERENCES members(id),
    outbox_id   INTEGER NOT NULL REFERENCES outbox(id),
    PRIMARY KEY (report_id, member_id)
);
