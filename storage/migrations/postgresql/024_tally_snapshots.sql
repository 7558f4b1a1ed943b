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
    unit_id   BIGINT NOT NULL,
    month     TEXT NOT NULL,
    settings  TEXT NOT NULL,
    body      TEXT NOT NULL,
    made_at   TEXT NOT NULL,
    PRIMARY KEY (unit_id, month)
);

-- Statement triggers over the changed rows (`changed`: the new rows of an INSERT, the old of
-- a DELETE, and both of an UPDATE, through two triggers), so a copy inserting thousands of
-- rows in one statement deletes once, not once per row. Each function names the units whose
-- lines go (the unit and the unit above it) and from which month on ('' for every month).

CREATE FUNCTION tally_snapshots_reports() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tally_snapshots s
     USING (SELECT c.unit_id, MIN(substr(c.report_date, 1, 7)) AS since
              FROM changed c GROUP BY c.unit_id) r
      JOIN units u ON u.id = r.unit_id
     WHERE s.unit_id IN (r.unit_id, u.parent_id) AND s.month >= r.since;
    RETURN NULL;
END
$$;

-- Participants and events: through their report.
CREATE FUNCTION tally_snapshots_by_report() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tally_snapshots s
     USING (SELECT r.unit_id, MIN(substr(r.report_date, 1, 7)) AS since
              FROM changed c JOIN reports r ON r.id = c.report_id GROUP BY r.unit_id) r
      JOIN units u ON u.id = r.unit_id
     WHERE s.unit_id IN (r.unit_id, u.parent_id) AND s.month >= r.since;
    RETURN NULL;
END
$$;

-- Memberships, the register and commendations: every month of their unit.
CREATE FUNCTION tally_snapshots_by_unit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tally_snapshots s
     USING (SELECT DISTINCT c.unit_id FROM changed c) r
      JOIN units u ON u.id = r.unit_id
     WHERE s.unit_id IN (r.unit_id, u.parent_id);
    RETURN NULL;
END
$$;

-- Leaves: every unit the member served in.
CREATE FUNCTION tally_snapshots_by_member() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tally_snapshots s
     USING (SELECT DISTINCT m.unit_id FROM changed c
              JOIN memberships m ON m.member_id = c.member_id) r
      JOIN units u ON u.id = r.unit_id
     WHERE s.unit_id IN (r.unit_id, u.parent_id);
    RETURN NULL;
END
$$;

-- Reoffences: the unit of the person on the register.
CREATE FUNCTION tally_snapshots_by_person() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tally_snapshots s
     USING (SELECT DISTINCT p.unit_id FROM changed c
              JOIN supervised p ON p.id = c.person_id) r
      JOIN units u ON u.id = r.unit_id
     WHERE s.unit_id IN (r.unit_id, u.parent_id);
    RETURN NULL;
END
$$;

-- The unit tree and the goals: every row.
CREATE FUNCTION tally_snapshots_forget_all() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tally_snapshots;
    RETURN NULL;
END
$$;

CREATE TRIGGER tally_snapshots_reports_insert AFTER INSERT ON reports
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_reports();
CREATE TRIGGER tally_snapshots_reports_update_old AFTER UPDATE ON reports
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_reports();
CREATE TRIGGER tally_snapshots_reports_update_new AFTER UPDATE ON reports
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_reports();
CREATE TRIGGER tally_snapshots_reports_delete AFTER DELETE ON reports
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_reports();

CREATE TRIGGER tally_snapshots_report_participants_insert AFTER INSERT ON report_participants
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_report();
CREATE TRIGGER tally_snapshots_report_participants_update_old AFTER UPDATE ON report_participants
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_report();
CREATE TRIGGER tally_snapshots_report_participants_update_new AFTER UPDATE ON report_participants
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_report();
CREATE TRIGGER tally_snapshots_report_participants_delete AFTER DELETE ON report_participants
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_report();

CREATE TRIGGER tally_snapshots_report_events_insert AFTER INSERT ON report_events
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_report();

CREATE TRIGGER tally_snapshots_memberships_insert AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_unit();
CREATE TRIGGER tally_snapshots_memberships_update_old AFTER UPDATE ON memberships
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_unit();
CREATE TRIGGER tally_snapshots_memberships_update_new AFTER UPDATE ON memberships
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_unit();
CREATE TRIGGER tally_snapshots_memberships_delete AFTER DELETE ON memberships
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_unit();

CREATE TRIGGER tally_snapshots_supervised_insert AFTER INSERT ON supervised
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_unit();
CREATE TRIGGER tally_snapshots_supervised_update_old AFTER UPDATE ON supervised
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_unit();
CREATE TRIGGER tally_snapshots_supervised_update_new AFTER UPDATE ON supervised
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_unit();
CREATE TRIGGER tally_snapshots_supervised_delete AFTER DELETE ON supervised
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_unit();

CREATE TRIGGER tally_snapshots_commendations_insert AFTER INSERT ON commendations
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_unit();
CREATE TRIGGER tally_snapshots_commendations_update_old AFTER UPDATE ON commendations
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_unit();
CREATE TRIGGER tally_snapshots_commendations_update_new AFTER UPDATE ON commendations
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_unit();
CREATE TRIGGER tally_snapshots_commendations_delete AFTER DELETE ON commendations
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_unit();

CREATE TRIGGER tally_snapshots_leaves_insert AFTER INSERT ON leaves
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_member();
CREATE TRIGGER tally_snapshots_leaves_update_old AFTER UPDATE ON leaves
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_member();
CREATE TRIGGER tally_snapshots_leaves_update_new AFTER UPDATE ON leaves
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_member();
CREATE TRIGGER tally_snapshots_leaves_delete AFTER DELETE ON leaves
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_member();

CREATE TRIGGER tally_snapshots_supervised_reoffences_insert AFTER INSERT ON supervised_reoffences
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_person();
CREATE TRIGGER tally_snapshots_supervised_reoffences_update_old AFTER UPDATE ON supervised_reoffences
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_person();
CREATE TRIGGER tally_snapshots_supervised_reoffences_update_new AFTER UPDATE ON supervised_reoffences
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_person();
CREATE TRIGGER tally_snapshots_supervised_reoffences_delete AFTER DELETE ON supervised_reoffences
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_by_person();

CREATE TRIGGER tally_snapshots_units AFTER INSERT OR UPDATE OR DELETE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_forget_all();
CREATE TRIGGER tally_snapshots_unit_history AFTER INSERT OR UPDATE OR DELETE ON unit_history
    FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_forget_all();
CREATE TRIGGER tally_snapshots_overrides AFTER INSERT OR UPDATE OR DELETE ON target_overrides
    FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_forget_all();
