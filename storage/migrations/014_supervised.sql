-- Content 4.5: the register of people under post-sentence management (người chấp hành xong
-- án phạt tù, đang được quản lý, giáo dục tại địa bàn), one list per team. Members and reports
-- name a person by `code` (initials or a short code); `full_name` is optional and shown only
-- to the team's leader and deputy, the commune police over the team, and admins. A person is
-- under management from `since` through `until_on` (NULL: still). `visit_every_days` NULL:
-- the `[supervised] visit_every_days` of the config.
CREATE TABLE supervised (
    id                INTEGER PRIMARY KEY,
    unit_id           INTEGER NOT NULL REFERENCES units(id),
    code              TEXT NOT NULL,
    full_name         TEXT,
    since             TEXT NOT NULL,
    until_on          TEXT,
    visit_every_days  INTEGER,
    created_at        TEXT NOT NULL,
    created_by        INTEGER REFERENCES members(id)
);
CREATE INDEX supervised_unit ON supervised(unit_id, code);
-- A code names one person still under management in a team (one who ended may be re-added).
CREATE UNIQUE INDEX supervised_active_code ON supervised(unit_id, code) WHERE until_on IS NULL;

-- A reoffence recorded by the leader or the commune police, dated the day it happened (never
-- inferred from a visit's "signs"). One entered by mistake is withdrawn, not deleted.
CREATE TABLE supervised_reoffences (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES supervised(id),
    on_date       TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    recorded_by   INTEGER REFERENCES members(id),
    withdrawn_at  TEXT,
    withdrawn_by  INTEGER REFERENCES members(id)
);
CREATE INDEX supervised_reoffences_person ON supervised_reoffences(person_id, on_date);
