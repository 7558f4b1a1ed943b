-- The tally's speed and its cache.
--
-- 1. Households informed (4.4) are the latest running total of each team up to a period's
-- end, on the administrative-order reports: one backward seek per team through this small
-- index (those reports only, in the tally's order), instead of walking every report of the
-- team (storage/tally_targets.py writes the same condition, for the default kind).
CREATE INDEX reports_admin_latest ON reports(unit_id, report_date, created_at)
    WHERE kind = 'admin_order' AND status = 'active';

-- 2. A number that moves whenever something a tally reads changes, and only then: the web
-- pages keep a computed tally under it (bot/web/tally/cache.py), so an outbox mark, a
-- sign-in, a web link or the inbound journal no longer make a province's next page compute
-- again. Every table the tally's queries read (storage/tally*.py, tally_tree.py,
-- target_overrides.py, commendations.py `per_unit`, supervised.py `for_tally`) bumps it on
-- any insert, update or delete; identities only when whether one is reachable (or whose it
-- is) changes, not on every message that touches `last_seen_at`. A later migration that
-- rebuilds one of these tables must create its triggers again.
CREATE TABLE tally_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
);
INSERT INTO tally_version (id, n) VALUES (1, 0);

CREATE TRIGGER tally_version_units_insert AFTER INSERT ON units
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_units_update AFTER UPDATE ON units
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_units_delete AFTER DELETE ON units
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_unit_history_insert AFTER INSERT ON unit_history
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_unit_history_update AFTER UPDATE ON unit_history
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_unit_history_delete AFTER DELETE ON unit_history
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_reports_insert AFTER INSERT ON reports
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_reports_update AFTER UPDATE ON reports
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_reports_delete AFTER DELETE ON reports
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_report_participants_insert AFTER INSERT ON report_participants
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_report_participants_update AFTER UPDATE ON report_participants
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_report_participants_delete AFTER DELETE ON report_participants
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_memberships_insert AFTER INSERT ON memberships
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_memberships_update AFTER UPDATE ON memberships
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_memberships_delete AFTER DELETE ON memberships
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_leaves_insert AFTER INSERT ON leaves
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_leaves_update AFTER UPDATE ON leaves
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_leaves_delete AFTER DELETE ON leaves
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_commendations_insert AFTER INSERT ON commendations
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_commendations_update AFTER UPDATE ON commendations
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_commendations_delete AFTER DELETE ON commendations
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_supervised_insert AFTER INSERT ON supervised
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_supervised_update AFTER UPDATE ON supervised
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_supervised_delete AFTER DELETE ON supervised
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_supervised_reoffences_insert AFTER INSERT ON supervised_reoffences
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_supervised_reoffences_update AFTER UPDATE ON supervised_reoffences
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_supervised_reoffences_delete AFTER DELETE ON supervised_reoffences
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_target_overrides_insert AFTER INSERT ON target_overrides
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_target_overrides_update AFTER UPDATE ON target_overrides
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_target_overrides_delete AFTER DELETE ON target_overrides
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_identities_insert AFTER INSERT ON identities
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_identities_update AFTER UPDATE OF member_id, unreachable_at
    ON identities
    WHEN OLD.member_id IS NOT NEW.member_id OR OLD.unreachable_at IS NOT NEW.unreachable_at
BEGIN UPDATE tally_version SET n = n + 1; END;
CREATE TRIGGER tally_version_identities_delete AFTER DELETE ON identities
BEGIN UPDATE tally_version SET n = n + 1; END;
