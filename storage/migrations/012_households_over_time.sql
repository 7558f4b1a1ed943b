-- A unit's household count over time: the households target of a closed period is measured
-- against the count the unit had then, whatever a later org import sets. A history row holds
-- the count before its change too (rows written so far take today's, which tallies used).
ALTER TABLE unit_history ADD COLUMN households INTEGER;
UPDATE unit_history
   SET households = (SELECT u.households FROM units u WHERE u.id = unit_history.unit_id);
