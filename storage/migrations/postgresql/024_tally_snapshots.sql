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

-- The rows of `unit` and of the unit above it, from month `since` on ('' for every month).
CREATE FUNCTION tally_snapshots_forget(unit BIGINT, since TEXT) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM tally_snapshots
     WHERE month >= since
       AND unit_id IN (unit, (SELECT parent_id FROM units WHERE id = unit))
$$;

CREATE FUNCTION tally_snapshots_reports() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM tally_snapshots_forget(OLD.unit_id, substr(OLD.report_date, 1, 7));
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_snapshots_forget(NEW.unit_id, substr(NEW.report_date, 1, 7));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER tally_snapshots_reports AFTER INSERT OR UPDATE OR DELETE ON reports
    FOR EACH ROW EXECUTE FUNCTION tally_snapshots_reports();

-- Participants and events: through their report.
CREATE FUNCTION tally_snapshots_by_report() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM tally_snapshots_forget(r.unit_id, substr(r.report_date, 1, 7))
           FROM reports r WHERE r.id = OLD.report_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_snapshots_forget(r.unit_id, substr(r.report_date, 1, 7))
           FROM reports r WHERE r.id = NEW.report_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER tally_snapshots_participants AFTER INSERT OR UPDATE OR DELETE
    ON report_participants FOR EACH ROW EXECUTE FUNCTION tally_snapshots_by_report();
CREATE TRIGGER tally_snapshots_events AFTER INSERT ON report_events
    FOR EACH ROW EXECUTE FUNCTION tally_snapshots_by_report();

-- Memberships, the register and commendations: every month of their unit.
CREATE FUNCTION tally_snapshots_by_unit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM tally_snapshots_forget(OLD.unit_id, '');
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_snapshots_forget(NEW.unit_id, '');
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER tally_snapshots_memberships AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION tally_snapshots_by_unit();
CREATE TRIGGER tally_snapshots_supervised AFTER INSERT OR UPDATE OR DELETE ON supervised
    FOR EACH ROW EXECUTE FUNCTION tally_snapshots_by_unit();
CREATE TRIGGER tally_snapshots_commendations AFTER INSERT OR UPDATE OR DELETE ON commendations
    FOR EACH ROW EXECUTE FUNCTION tally_snapshots_by_unit();

-- Leaves: every unit the member served in.
CREATE FUNCTION tally_snapshots_by_member() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM tally_snapshots_forget(s.unit_id, '')
           FROM memberships s WHERE s.member_id = OLD.member_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_snapshots_forget(s.unit_id, '')
           FROM memberships s WHERE s.member_id = NEW.member_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER tally_snapshots_leaves AFTER INSERT OR UPDATE OR DELETE ON leaves
    FOR EACH ROW EXECUTE FUNCTION tally_snapshots_by_member();

-- Reoffences: the unit of the person on the register.
CREATE FUNCTION tally_snapshots_by_person() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM tally_snapshots_forget(p.unit_id, '')
           FROM supervised p WHERE p.id = OLD.person_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_snapshots_forget(p.unit_id, '')
           FROM supervised p WHERE p.id = NEW.person_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER tally_snapshots_reoffences AFTER INSERT OR UPDATE OR DELETE
    ON supervised_reoffences FOR EACH ROW EXECUTE FUNCTION tally_snapshots_by_person();

-- The unit tree and the goals: every row.
CREATE FUNCTION tally_snapshots_forget_all() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tally_snapshots;
    RETURN NULL;
END
$$;
CREATE TRIGGER tally_snapshots_units AFTER INSERT OR UPDATE OR DELETE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_forget_all();
CREATE TRIGGER tally_snapshots_unit_history AFTER INSERT OR UPDATE OR DELETE ON unit_history
    FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_forget_all();
CREATE TRIGGER tally_snapshots_overrides AFTER INSERT OR UPDATE OR DELETE ON target_overrides
    FOR EACH STATEMENT EXECUTE FUNCTION tally_snapshots_forget_all();
