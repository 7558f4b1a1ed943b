-- Org import that cannot hurt: the journal of an import also undoes the tree changes it made
-- with --apply-changes (renames, new kinds, closed and reopened units, memberships ended).
-- `undo` holds, as JSON, what a rollback puts back beyond the prev_* columns: a unit's
-- previous path, name, parent and closed_on, the unit_history and audit_trail rows to delete,
-- the invites revoked, a membership stretch as it was and the messages it withdrew.
ALTER TABLE org_import_changes ADD COLUMN undo TEXT;
