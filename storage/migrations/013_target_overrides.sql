-- Targets per unit: a commune or province sets its own goal for a `[tally.targets]` key, for
-- its whole subtree (`antt-bot targets set`, /chitieu). A stored goal wins over the config's
-- override for the same unit; the nearest unit up the tree wins over those above it.
CREATE TABLE target_overrides (
    unit_id INTEGER NOT NULL REFERENCES units(id),
    key TEXT NOT NULL,
    value REAL NOT NULL,
    set_by INTEGER REFERENCES members(id),  -- NULL: the command line
    set_by_name TEXT NOT NULL,
    set_at TEXT NOT NULL,
    PRIMARY KEY (unit_id, key)
);

-- The rare reports the new targets read over long spans, kept tiny by their condition: a
-- model recognised at district level or above (4.2, counted up to a period's end, however
-- long ago) and a serious traffic accident (4.6, on any kind). The tally's conditions are
-- written exactly so, for SQLite to use them.
CREATE INDEX reports_model_recognised ON reports(unit_id, report_date)
    WHERE json_extract(data, '$.model_level') = 'district';
CREATE INDEX reports_serious_accident ON reports(report_date)
    WHERE json_extract(data, '$.serious_accident') = 1;
