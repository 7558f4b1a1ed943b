"""Schedules: cron slots and the planners that queue reminders, digests and tallies."""
