-- Covering indexes for the tally (storage/tally.py): each query reads only its index.
-- Reports per team and kind, in the team that filed them (replaces reports_unit_date).
CREATE INDEX reports_unit_cover ON reports(unit_id, report_date, status, kind, member_id, created_at);
DROP INDEX reports_unit_date;
-- Per member: reported at all, days on time, own patrols (replaces reports_member_date).
CREATE INDEX reports_member_cover ON reports(member_id, report_date, status, kind, created_at);
DROP INDEX reports_member_date;
-- The few reports of the kinds that feed targets (fires, tips, reintegration, households).
CREATE INDEX reports_kind_date ON reports(kind, report_date);
