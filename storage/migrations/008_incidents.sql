-- Urgent reports (tips, fires) the police act on: a life cycle with every step kept, an
-- escalation ladder, honest receipts and the phone numbers people call when nobody answers.

-- The commune's (or any unit's) phone number, from the org import's optional `phone` column:
-- told to a member whose urgent report could reach no officer.
ALTER TABLE units ADD COLUMN phone TEXT;
-- A member's phone number when known (shown to the officers an alert reaches).
ALTER TABLE members ADD COLUMN phone TEXT;

-- Where an urgent report stands (bot/reports/lifecycle.py): 'received', 'acknowledged',
-- 'verifying', 'resolved', 'forwarded', 'unfounded', 'done' (a fire handled) or 'duplicate'
-- (the same incident as `duplicate_of`). NULL for reports that are not urgent.
ALTER TABLE reports ADD COLUMN state TEXT;
ALTER TABLE reports ADD COLUMN state_at TEXT;
-- When the first alert was due to go out: the filing time, or the end of quiet hours for a
-- non-urgent tip filed at night. Taking up is measured from here.
ALTER TABLE reports ADD COLUMN alert_at TEXT;
ALTER TABLE reports ADD COLUMN duplicate_of INTEGER REFERENCES reports(id);
-- When an officer confirmed the fields that feed a target (a fire handled, arrived in time
-- or not): from then the member can no longer change them. `in_time_confirmed` is what the
-- officer confirmed (1 in time, 0 late), NULL until then.
ALTER TABLE reports ADD COLUMN confirmed_at TEXT;
ALTER TABLE reports ADD COLUMN confirmed_by INTEGER REFERENCES members(id);
ALTER TABLE reports ADD COLUMN in_time_confirmed INTEGER;

UPDATE reports
   SET state = CASE WHEN ack_by IS NULL THEN 'received' ELSE 'acknowledged' END,
       state_at = COALESCE(ack_at, created_at),
       alert_at = created_at
 WHERE urgent = 1;

CREATE INDEX reports_open_urgent ON reports(state, state_at) WHERE urgent = 1;
CREATE INDEX reports_duplicate_of ON reports(duplicate_of) WHERE duplicate_of IS NOT NULL;

-- Every step of an urgent report's life, kept for good: who moved it, when, to what, with
-- the officer's optional note and a JSON detail ({"in_time": true}, {"duplicate_of": 12}).
CREATE TABLE report_events (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    member_id   INTEGER REFERENCES members(id),
    state       TEXT NOT NULL,
    note        TEXT,
    detail      TEXT,
    at          TEXT NOT NULL
);
CREATE INDEX report_events_report ON report_events(report_id, id);

INSERT INTO report_events (report_id, member_id, state, at)
SELECT id, member_id, 'received', created_at FROM reports WHERE urgent = 1;
INSERT INTO report_events (report_id, member_id, state, at)
SELECT id, ack_by, 'acknowledged', ack_at FROM reports WHERE urgent = 1 AND ack_by IS NOT NULL;

-- Alerts gain the ladder's step: 0 is the first alert, 1.. each escalation. One officer can
-- be alerted again at a later step, so the key grows by the step.
CREATE TABLE alerts_new (
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    member_id   INTEGER NOT NULL REFERENCES members(id),
    step        INTEGER NOT NULL DEFAULT 0,
    outbox_id   INTEGER NOT NULL REFERENCES outbox(id),
    PRIMARY KEY (report_id, member_id, step)
);
INSERT INTO alerts_new (report_id, member_id, step, outbox_id)
SELECT report_id, member_id, 0, outbox_id FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_new RENAME TO alerts;
