-- The tally's fires and tips (storage/tally.py `flagged_per_unit`, for the default kinds)
-- read unit by unit through this small index: only the subtree's own such reports. Through
-- the kind index a province's phase tally read every fire and tip report of the country and
-- kept its own thirtieth, each from a random page of the table.
CREATE INDEX reports_urgent_unit ON reports(unit_id, report_date)
    WHERE kind IN ('fire_rescue', 'tip') AND status = 'active';
