-- The communes' kept lines (migration 024) hold a period up to a day (`through`, the last
-- report date they count), not only a whole month: besides each closed month, the month
-- still running up to its last day whose deadline has passed, so a country's running month
-- is added up from them too (bot/tally/snapshots.py). A report dated after that day leaves
-- the line alone; one dated on or before it (late, edited, acknowledged, withdrawn) deletes
-- it, as every report of a kept month did. The rows are a cache the refill computes again.
-- The functions of migration 024 name the table at run time, so only the two comparing
-- report dates change.
DROP TABLE tally_snapshots;
CREATE TABLE tally_snapshots (
    unit_id   BIGINT NOT NULL,
    month     TEXT NOT NULL,  -- the reporting month's code ('2026-10')
    through   TEXT NOT NULL,  -- the last report date counted: the month's last once closed
    settings  TEXT NOT NULL,
    body      TEXT NOT NULL,
    made_at   TEXT NOT NULL,
    PRIMARY KEY (unit_id, month)
);

CREATE OR REPLACE FUNCTION tally_snapshots_reports() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tally_snapshots s
     USING (SELECT c.unit_id, MIN(c.report_date) AS since
              FROM changed c GROUP BY c.unit_id) r
      JOIN units u ON u.id = r.unit_id
     WHERE s.unit_id IN (r.unit_id, u.parent_id) AND s.through >= r.since;
    RETURN NULL;
END
$$;

-- Participants and events: through their report.
CREATE OR REPLACE FUNCTION tally_snapshots_by_report() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tally_snapshots s
     USING (SELECT r.unit_id, MIN(r.report_date) AS since
              FROM changed c JOIN reports r ON r.id = c.report_id GROUP BY r.unit_id) r
      JOIN units u ON u.id = r.unit_id
     WHERE s.unit_id IN (r.unit_id, u.parent_id) AND s.through >= r.since;
    RETURN NULL;
END
$$;
