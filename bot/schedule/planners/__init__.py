"""The planners: who is due for what at each schedule slot, as outbox rows with fixed keys."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.core.config import Config
from bot.schedule.planners import commend, daily, notices, overdue, periodic
from bot.schedule.scheduler import Job


def _at(moment: time, tz: object, **fields: object) -> CronTrigger:
    """A cron trigger at a local time of day (plus e.g. day=15 for monthly jobs), to the
    second when the config gives seconds ("19:00:30"), so a time is kept as it is written."""
    return CronTrigger(
        hour=moment.hour, minute=moment.minute, second=moment.second, timezone=tz, **fields
    )


def jobs_from(config: Config, tz: object) -> list[Job]:
    """Every scheduled job the config asks for ([reminders], [tally] month_starts_on)."""
    rem = config.reminders
    if not rem.enabled:
        return []
    deadline = config.reports.deadline
    digest_at = (
        datetime.combine(datetime.min, deadline) + timedelta(minutes=rem.digest_delay_minutes)
    ).time()
    jobs = [
        Job("remind", _at(rem.daily_at, tz), daily.remind),
        Job("digest", _at(digest_at, tz), daily.digest),
        Job(
            "monthly-tally",
            _at(rem.monthly_tally_at, tz, day=config.tally.month_starts_on),
            periodic.monthly_tally,
        ),
        Job("notices", _at(rem.notices_at, tz), notices.milestones_and_phases),
        Job("overdue", _at(config.alerts.overdue_at, tz), overdue.overdue_reports),
        Job("commend-notice", _at(rem.notices_at, tz), commend.shortlists_ready),
    ]
    second = rem.second_at(deadline)
    if second is not None:
        jobs.insert(1, Job("remind-second", _at(second, tz), daily.remind_second))
    if rem.nudge_day:
        jobs.append(
            Job("good-deed-nudge", _at(rem.nudge_at, tz, day=rem.nudge_day), periodic.nudge)
        )
    return jobs
