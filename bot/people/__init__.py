"""People: invite codes, leave and announcements."""
