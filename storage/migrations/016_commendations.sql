-- Commendations proposed (danh sách đề nghị khen thưởng): one row per occasion and team, or
-- per occasion, team and member (`member_id` NULL: the team itself). `occasion` is its code
-- ('p20241001-20250203' a phase by its days, 'f2025' the 19/8 festival of 2025) and
-- `occasion_end` its last day: the day the commendation counts on for target 4.7. Ticked by
-- an officer (`ticked_by`, NULL for the command line, and their name then in `ticked_by_name`)
-- at `ticked_at`; unticking deletes the row (both are kept in the audit trail).
CREATE TABLE commendations (
    id              INTEGER PRIMARY KEY,
    occasion        TEXT NOT NULL,
    occasion_end    TEXT NOT NULL,
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    member_id       INTEGER REFERENCES members(id),
    reason          TEXT NOT NULL DEFAULT '',
    ticked_by       INTEGER REFERENCES members(id),
    ticked_by_name  TEXT NOT NULL,
    ticked_at       TEXT NOT NULL
);
CREATE UNIQUE INDEX commendations_one ON commendations(occasion, unit_id, COALESCE(member_id, 0));
CREATE INDEX commendations_end ON commendations(occasion_end, unit_id);
