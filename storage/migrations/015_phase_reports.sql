-- Phase reports (báo cáo sơ kết / tổng kết) a unit has marked "đã nộp" (sent up the chain).
-- A milestone is named by `milestone_key` (its due date and a hash of its configured name, as
-- the reminders tag it), so renaming a milestone in the config starts it afresh. One row per
-- milestone and unit: marking again keeps the first row (the audit trail has every attempt).
CREATE TABLE phase_reports_submitted (
    milestone_key  TEXT NOT NULL,
    milestone_name TEXT NOT NULL,
    unit_id        INTEGER NOT NULL REFERENCES units(id),
    submitted_on   TEXT NOT NULL,
    marked_by      INTEGER REFERENCES members(id),
    marked_at      TEXT NOT NULL,
    PRIMARY KEY (milestone_key, unit_id)
);
