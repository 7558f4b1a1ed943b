-- Members and units over time: who served where, in which role, from when to when; every
-- change to people, invites and the unit tree kept with who made it and when.

-- One row per stretch of service: a member belongs to `unit_id` in `role` from `start_date`
-- to `end_date` (both local dates, both included; NULL end: still serving). A move or a
-- role change ends one stretch the day before the next begins; a member's stretches never
-- overlap. `members.unit_id`, `role` and `active` mirror the latest stretch (what the bot
-- does today); tallies read the stretches (what held on each day of a period).
CREATE TABLE memberships (
    id          INTEGER PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES members(id),
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    role        TEXT NOT NULL,
    start_date  TEXT NOT NULL,
    end_date    TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX memberships_unit ON memberships(unit_id, role, start_date);
CREATE INDEX memberships_member ON memberships(member_id, start_date);

-- Every member so far served from the day they joined; one never active served no day.
INSERT INTO memberships (member_id, unit_id, role, start_date, end_date, created_at)
SELECT id, unit_id, role, substr(joined_at, 1, 10),
       CASE WHEN active = 1 THEN NULL ELSE date(substr(joined_at, 1, 10), '-1 day') END,
       joined_at
  FROM members;

-- The audit trail of people and units: who (`actor_id`, NULL for the command line, and
-- `actor`, their name or "command line (user)" at the time), when (`at`), from which day
-- the change holds (`effective_on`), on what (`subject` 'member' | 'invite' | 'unit' and its
-- id), what (`action`), where (`unit_id`; a move's destination in `other_unit_id`) and the
-- values before and after (`detail`, JSON).
CREATE TABLE audit_trail (
    id             INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    effective_on   TEXT,
    actor_id       INTEGER REFERENCES members(id),
    actor          TEXT NOT NULL,
    subject        TEXT NOT NULL,
    subject_id     TEXT NOT NULL,
    action         TEXT NOT NULL,
    unit_id        INTEGER,
    other_unit_id  INTEGER,
    detail         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_trail_subject ON audit_trail(subject, subject_id, id);
CREATE INDEX audit_trail_at ON audit_trail(at);

-- A personal invite (roster import) is for one member created in advance: joining with it
-- links the chat to that member, already named and placed. A revoked invite joins no one.
ALTER TABLE invites ADD COLUMN member_id INTEGER REFERENCES members(id);
ALTER TABLE invites ADD COLUMN revoked_at TEXT;
CREATE INDEX invites_member ON invites(member_id) WHERE member_id IS NOT NULL;
CREATE INDEX invites_unit ON invites(unit_id);

-- The tree over time. A unit exists from `opened_on` (NULL: always, as far as the bot knows)
-- until the day before `closed_on` (NULL: still open). A unit dropped by an org import with
-- --apply-changes is closed, never deleted: its reports and past tallies keep it.
ALTER TABLE units ADD COLUMN opened_on TEXT;
ALTER TABLE units ADD COLUMN closed_on TEXT;

-- What a unit was called, where it hung and its kind before a change that took effect on
-- `changed_on` (a rename, a move in the tree, a new kind): a tally of a period that ended
-- before `changed_on` shows the unit as it was.
CREATE TABLE unit_history (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL,
    changed_on  TEXT NOT NULL,
    name        TEXT NOT NULL,
    path        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    parent_id   INTEGER,
    at          TEXT NOT NULL
);
CREATE INDEX unit_history_unit ON unit_history(unit_id, changed_on);
