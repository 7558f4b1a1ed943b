"""The database as the operator sees it: where it stands, migrating it, copying one into
another (`antt-bot db ...`)."""
