-- The communes' kept lines (migration 024) hold a period up to a day (`through`, the last
-- report date they count), not only a whole month: besides each closed month, the month
-- still running up to its last day whose deadline has passed, so a country's running month
-- is added up from them too (bot/tally/snapshots.py). A report dated after that day leaves
-- the line alone; one dated on or before it (late, edited, acknowledged, withdrawn) deletes
-- it, as every report of a kept month did. The rows are a cache the refill computes again.
DROP TRIGGER tally_snapshots_reports_insert;
DROP TRIGGER tally_snapshots_reports_update;
DROP TRIGGER tally_snapshots_reports_delete;
DROP TRIGGER tally_snapshots_participants_insert;
DROP TRIGGER tally_snapshots_participants_delete;
DROP TRIGGER tally_snapshots_participants_update;
DROP TRIGGER tally_snapshots_events_insert;

DROP TABLE tally_snapshots;
CREATE TABLE tally_snapshots (
    unit_id   INTEGER NOT NULL,
    month     TEXT NOT NULL,  -- the reporting month's code ('2026-10')
    through   TEXT NOT NULL,  -- the last report date counted: the month's last once closed
    settings  TEXT NOT NULL,
    body      TEXT NOT NULL,
    made_at   TEXT NOT NULL,
    PRIMARY KEY (unit_id, month)
);

CREATE TRIGGER tally_snapshots_reports_insert AFTER INSERT ON reports
BEGIN
    DELETE FROM tally_snapshots WHERE through >= NEW.report_date
      AND unit_id IN (NEW.unit_id, (SELECT parent_id FROM units WHERE id = NEW.unit_id));
END;
CREATE TRIGGER tally_snapshots_reports_update AFTER UPDATE ON reports
BEGIN
    DELETE FROM tally_snapshots WHERE through >= OLD.report_date
      AND unit_id IN (OLD.unit_id, (SELECT parent_id FROM units WHERE id = OLD.unit_id));
    DELETE FROM tally_snapshots WHERE through >= NEW.report_date
      AND unit_id IN (NEW.unit_id, (SELECT parent_id FROM units WHERE id = NEW.unit_id));
END;
CREATE TRIGGER tally_snapshots_reports_delete AFTER DELETE ON reports
BEGIN
    DELETE FROM tally_snapshots WHERE through >= OLD.report_date
      AND unit_id IN (OLD.unit_id, (SELECT parent_id FROM units WHERE id = OLD.unit_id));
END;

CREATE TRIGGER tally_snapshots_participants_insert AFTER INSERT ON report_participants
BEGIN
    DELETE FROM tally_snapshots
     WHERE through >= (SELECT r.report_date FROM reports r WHERE r.id = NEW.report_id)
       AND unit_id IN (SELECT r.unit_id FROM reports r WHERE r.id = NEW.report_id
                       UNION ALL SELECT u.parent_id FROM reports r JOIN units u ON u.id = r.unit_id
                       WHERE r.id = NEW.report_id);
END;
CREATE TRIGGER tally_snapshots_participants_delete AFTER DELETE ON report_participants
BEGIN
    DELETE FROM tally_snapshots
     WHERE through >= (SELECT r.report_date FROM reports r WHERE r.id = OLD.report_id)
       AND unit_id IN (SELECT r.unit_id FROM reports r WHERE r.id = OLD.report_id
                       UNION ALL SELECT u.parent_id FROM reports r JOIN units u ON u.id = r.unit_id
                       WHERE r.id = OLD.report_id);
END;
CREATE TRIGGER tally_snapshots_participants_update AFTER UPDATE ON report_participants
BEGIN
    DELETE FROM tally_snapshots
     WHERE through >= (SELECT r.report_date FROM reports r WHERE r.id = OLD.report_id)
       AND unit_id IN (SELECT r.unit_id FROM reports r WHERE r.id = OLD.report_id
                       UNION ALL SELECT u.parent_id FROM reports r JOIN units u ON u.id = r.unit_id
                       WHERE r.id = OLD.report_id);
    DELETE FROM tally_snapshots
     WHERE through >= (SELECT r.report_date FROM reports r WHERE r.id = NEW.report_id)
       AND unit_id IN (SELECT r.unit_id FROM reports r WHERE r.id = NEW.report_id
                       UNION ALL SELECT u.parent_id FROM reports r JOIN units u ON u.id = r.unit_id
                       WHERE r.id = NEW.report_id);
END;

CREATE TRIGGER tally_snapshots_events_insert AFTER INSERT ON report_events
BEGIN
    DELETE FROM tally_snapshots
     WHERE through >= (SELECT r.report_date FROM reports r WHERE r.id = NEW.report_id)
       AND unit_id IN (SELECT r.unit_id FROM reports r WHERE r.id = NEW.report_id
                       UNION ALL SELECT u.parent_id FROM reports r JOIN units u ON u.id = r.unit_id
                       WHERE r.id = NEW.report_id);
END;
