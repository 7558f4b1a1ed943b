-- A closed month's tally of each unit directly above teams (a commune), kept so the tally of
-- a country adds up 3,321 communes instead of judging 86,000 teams (bot/tally/snapshots.py).
-- `month` is the reporting month's code ('2026-10'), `settings` a digest of the config the
-- figures were computed with (a row under another digest is not read), `body` the JSON.
--
-- A row is only ever right or absent: every change to what a tally reads deletes, in the
-- same transaction, the rows it may alter (the triggers below), and the background refill
-- computes them again. A report dated in a month alters that month and the later ones
-- (models and businesses count "so far"); reaching the commune through the report's unit or
-- its parent. Changes to people, leaves, the register or commendations forget the unit's
-- months; changes to the unit tree or to goals forget every row.
CREATE TABLE tally_snapshots (
    unit_id   INTEGER NOT NULL,
    month     TEXT NOT NULL,
    settings  TEXT NOT NULL,
    body      TEXT NOT NULL,
    made_at   TEXT NOT NULL,
    PRIMARY KEY (unit_id, month)
);

CREATE TRIGGER tally_snapshots_reports_insert AFTER INSERT ON reports
BEGIN
    DELETE FROM tally_snapshots WHERE month >= substr(NEW.report_date, 1, 7)
      AND unit_id IN (NEW.unit_id, (SELECT parent_id FROM units WHERE id = NEW.unit_id));
END;
CREATE TRIGGER tally_snapshots_reports_update AFTER UPDATE ON reports
BEGIN
    DELETE FROM tally_snapshots WHERE month >= substr(OLD.report_date, 1, 7)
      AND unit_id IN (OLD.unit_id, (SELECT parent_id FROM units WHERE id = OLD.unit_id));
    DELETE FROM tally_snapshots WHERE month >= substr(NEW.report_date, 1, 7)
      AND unit_id IN (NEW.unit_id, (SELECT parent_id FROM units WHERE id = NEW.unit_id));
END;
CREATE TRIGGER tally_snapshots_reports_delete AFTER DELETE ON reports
BEGIN
    DELETE FROM tally_snapshots WHERE month >= substr(OLD.report_date, 1, 7)
      AND unit_id IN (OLD.unit_id, (SELECT parent_id FROM units WHERE id = OLD.unit_id));
END;

CREATE TRIGGER tally_snapshots_participants_insert AFTER INSERT ON report_participants
BEGIN
    DELETE FROM tally_snapshots
     WHERE month >= (SELECT substr(r.report_date, 1, 7) FROM reports r WHERE r.id = NEW.report_id)
       AND unit_id IN (SELECT r.unit_id FROM reports r WHERE r.id = NEW.report_id
                       UNION ALL SELECT u.parent_id FROM reports r JOIN units u ON u.id = r.unit_id
                       WHERE r.id = NEW.report_id);
END;
CREATE TRIGGER tally_snapshots_participants_delete AFTER DELETE ON report_participants
BEGIN
    DELETE FROM tally_snapshots
     WHERE month >= (SELECT substr(r.report_date, 1, 7) FROM reports r WHERE r.id = OLD.report_id)
       AND unit_id IN (SELECT r.unit_id FROM reports r WHERE r.id = OLD.report_id
                       UNION ALL SELECT u.parent_id FROM reports r JOIN units u ON u.id = r.unit_id
                       WHERE r.id = OLD.report_id);
END;
CREATE TRIGGER tally_snapshots_participants_update AFTER UPDATE ON report_participants
BEGIN
    DELETE FROM tally_snapshots
     WHERE month >= (SELECT substr(r.report_date, 1, 7) FROM reports r WHERE r.id = OLD.report_id)
       AND unit_id IN (SELECT r.unit_id FROM reports r WHERE r.id = OLD.report_id
                       UNION ALL SELECT u.parent_id FROM reports r JOIN units u ON u.id = r.unit_id
                       WHERE r.id = OLD.report_id);
    DELETE FROM tally_snapshots
     WHERE month >= (SELECT substr(r.report_date, 1, 7) FROM reports r WHERE r.id = NEW.report_id)
       AND unit_id IN (SELECT r.unit_id FROM reports r WHERE r.id = NEW.report_id
                       UNION ALL SELECT u.parent_id FROM reports r JOIN units u ON u.id = r.unit_id
                       WHERE r.id = NEW.report_id);
END;

CREATE TRIGGER tally_snapshots_events_insert AFTER INSERT ON report_events
BEGIN
    DELETE FROM tally_snapshots
     WHERE month >= (SELECT substr(r.report_date, 1, 7) FROM reports r WHERE r.id = NEW.report_id)
       AND unit_id IN (SELECT r.unit_id FROM reports r WHERE r.id = NEW.report_id
                       UNION ALL SELECT u.parent_id FROM reports r JOIN units u ON u.id = r.unit_id
                       WHERE r.id = NEW.report_id);
END;

CREATE TRIGGER tally_snapshots_memberships_insert AFTER INSERT ON memberships
BEGIN
    DELETE FROM tally_snapshots
     WHERE unit_id IN (NEW.unit_id, (SELECT parent_id FROM units WHERE id = NEW.unit_id));
END;
CREATE TRIGGER tally_snapshots_memberships_update AFTER UPDATE ON memberships
BEGIN
    DELETE FROM tally_snapshots
     WHERE unit_id IN (OLD.unit_id, (SELECT parent_id FROM units WHERE id = OLD.unit_id),
                       NEW.unit_id, (SELECT parent_id FROM units WHERE id = NEW.unit_id));
END;
CREATE TRIGGER tally_snapshots_memberships_delete AFTER DELETE ON memberships
BEGIN
    DELETE FROM tally_snapshots
     WHERE unit_id IN (OLD.unit_id, (SELECT parent_id FROM units WHERE id = OLD.unit_id));
END;

CREATE TRIGGER tally_snapshots_leaves_insert AFTER INSERT ON leaves
BEGIN
    DELETE FROM tally_snapshots
     WHERE unit_id IN (SELECT s.unit_id FROM memberships s WHERE s.member_id = NEW.member_id
                       UNION ALL SELECT u.parent_id FROM memberships s JOIN units u ON u.id = s.unit_id
                       WHERE s.member_id = NEW.member_id);
END;
CREATE TRIGGER tally_snapshots_leaves_update AFTER UPDATE ON leaves
BEGIN
    DELETE FROM tally_snapshots
     WHERE unit_id IN (SELECT s.unit_id FROM memberships s
                       WHERE s.member_id IN (OLD.member_id, NEW.member_id)
                       UNION ALL SELECT u.parent_id FROM memberships s JOIN units u ON u.id = s.unit_id
                       WHERE s.member_id IN (OLD.member_id, NEW.member_id));
END;
CREATE TRIGGER tally_snapshots_leaves_delete AFTER DELETE ON leaves
BEGIN
    DELETE FROM tally_snapshots
     WHERE unit_id IN (SELECT s.unit_id FROM memberships s WHERE s.member_id = OLD.member_id
                       UNION ALL SELECT u.parent_id FROM memberships s JOIN units u ON u.id = s.unit_id
                       WHERE s.member_id = OLD.member_id);
END;

CREATE TRIGGER tally_snapshots_supervised_insert AFTER INSERT ON supervised
BEGIN
    DELETE FROM tally_snapshots
     WHERE unit_id IN (NEW.unit_id, (SELECT parent_id FROM units WHERE id = NEW.unit_id));
END;
CREATE TRIGGER tally_snapshots_supervised_update AFTER UPDATE ON supervised
BEGIN
    DELETE FROM tally_snapshots
     WHERE unit_id IN (OLD.unit_id, (SELECT parent_id FROM units WHERE id = OLD.unit_id),
                       NEW.unit_id, (SELECT parent_id FROM units WHERE id = NEW.unit_id));
END;
CREATE TRIGGER tally_snapshots_supervised_delete AFTER DELETE ON supervised
BEGIN
    DELETE FROM tally_snapshots
     WHERE unit_id IN (OLD.unit_id, (SELECT parent_id FROM units WHERE id = OLD.unit_id));
END;

CREATE TRIGGER tally_snapshots_reoffences_insert AFTER INSERT ON supervised_reoffences
BEGIN
    DELETE FROM tally_snapshots
     WHERE unit_id IN (SELECT p.unit_id FROM supervised p WHERE p.id = NEW.person_id
                       UNION ALL SELECT u.parent_id FROM supervised p JOIN units u ON u.id = p.unit_id
                       WHERE p.id = NEW.person_id);
END;
CREATE TRIGGER tally_snapshots_reoffences_update AFTER UPDATE ON supervised_reoffences
BEGIN
    DELETE FROM tally_snapshots
     WHERE unit_id IN (SELECT p.unit_id FROM supervised p WHERE p.id IN (OLD.person_id, NEW.person_id)
                       UNION ALL SELECT u.parent_id FROM supervised p JOIN units u ON u.id = p.unit_id
                       WHERE p.id IN (OLD.person_id, NEW.person_id));
END;
CREATE TRIGGER tally_snapshots_reoffences_delete AFTER DELETE ON supervised_reoffences
BEGIN
    DELETE FROM tally_snapshots
     WHERE unit_id IN (SELECT p.unit_id FROM supervised p WHERE p.id = OLD.person_id
                       UNION ALL SELECT u.parent_id FROM supervised p JOIN units u ON u.id = p.unit_id
                       WHERE p.id = OLD.person_id);
END;

CREATE TRIGGER tally_snapshots_commendations_insert AFTER INSERT ON commendations
BEGIN
    DELETE FROM tally_snapshots
     WHERE unit_id IN (NEW.unit_id, (SELECT parent_id FROM units WHERE id = NEW.unit_id));
END;
CREATE TRIGGER tally_snapshots_commendations_update AFTER UPDATE ON commendations
BEGIN
    DELETE FROM tally_snapshots
     WHERE unit_id IN (OLD.unit_id, (SELECT parent_id FROM units WHERE id = OLD.unit_id),
                       NEW.unit_id, (SELECT parent_id FROM units WHERE id = NEW.unit_id));
END;
CREATE TRIGGER tally_snapshots_commendations_delete AFTER DELETE ON commendations
BEGIN
    DELETE FROM tally_snapshots
     WHERE unit_id IN (OLD.unit_id, (SELECT parent_id FROM units WHERE id = OLD.unit_id));
END;

CREATE TRIGGER tally_snapshots_units_insert AFTER INSERT ON units
BEGIN DELETE FROM tally_snapshots; END;
CREATE TRIGGER tally_snapshots_units_update AFTER UPDATE ON units
BEGIN DELETE FROM tally_snapshots; END;
CREATE TRIGGER tally_snapshots_units_delete AFTER DELETE ON units
BEGIN DELETE FROM tally_snapshots; END;
CREATE TRIGGER tally_snapshots_unit_history_insert AFTER INSERT ON unit_history
BEGIN DELETE FROM tally_snapshots; END;
CREATE TRIGGER tally_snapshots_unit_history_update AFTER UPDATE ON unit_history
BEGIN DELETE FROM tally_snapshots; END;
CREATE TRIGGER tally_snapshots_unit_history_delete AFTER DELETE ON unit_history
BEGIN DELETE FROM tally_snapshots; END;
CREATE TRIGGER tally_snapshots_overrides_insert AFTER INSERT ON target_overrides
BEGIN DELETE FROM tally_snapshots; END;
CREATE TRIGGER tally_snapshots_overrides_update AFTER UPDATE ON target_overrides
BEGIN DELETE FROM tally_snapshots; END;
CREATE TRIGGER tally_snapshots_overrides_delete AFTER DELETE ON target_overrides
BEGIN DELETE FROM tally_snapshots; END;
