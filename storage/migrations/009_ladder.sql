-- The org import's optional `phone` column (units.phone, added in 008): an import that
-- changes a unit's phone journals the previous one, so a rollback puts it back.
ALTER TABLE org_import_changes ADD COLUMN prev_phone TEXT;
