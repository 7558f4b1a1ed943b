"""The daily rhythm: remind members who have filed nothing, then tell leaders who is missing.

A reminder expires at the day's deadline: one that could not go out in time (the bot was
down, or quiet hours began) is dropped, never sent the next morning.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from bot.core import dates
from bot.core.clock import iso
from bot.core.model import Choice, Outbound
from bot.core.roles import REPORTING_ROLES, role_names
from bot.schedule.scheduler import Plan
from storage import members, recipients
from storage.db import Row
from storage.outbox import Planned
from storage.recipients import Audience, Recipient

REPORT_BUTTON = "menu:report"  # handlers.commands.REPORT: opens the report wizard
NIL_BUTTON = "menu:nil"  # handlers.commands.NIL: files "nothing to report today"


def deadline_of(plan: Plan, day: date) -> datetime:
    """The report deadline of a day, in the configured zone."""
    deadline = plan.services.config.reports.deadline
    return datetime.combine(day, deadline, tzinfo=plan.slot.tzinfo)


async def remind(plan: Plan) -> list[Planned]:
    """19:00: every active member with no report and no nil report today, not on leave."""
    return await _reminders(plan, "remind", "schedule.remind")


async def remind_second(plan: Plan) -> list[Planned]:
    """Shortly before the deadline: the same people, if they still have filed nothing."""
    return await _reminders(plan, "remind2", "schedule.remind_second")


async def _reminders(plan: Plan, prefix: str, key: str) -> list[Planned]:
    """Who owes today's report: reporting roles with no report, not on leave; the row
    expires at the deadline, so a reminder held up (quiet hours, downtime) never arrives
    after it."""
    day = plan.slot.date()
    deadline = deadline_of(plan, day)
    if plan.now >= deadline:
        return []  # caught up after the deadline: too late to help
    who = Audience(
        roles=role_names(REPORTING_ROLES),
        not_reported_on=day.isoformat(),
        not_on_leave=day.isoformat(),
    )
    rows = await recipients.audience(plan.tx, who, plan.served)
    minutes = max(0, int((deadline - plan.slot).total_seconds() // 60))

    def message(row: Recipient, locale: str) -> Outbound:
        """The reminder with its two buttons, in the member's language."""
        text = plan.t(
            locale,
            key,
            name=row.full_name,
            date=dates.stored_day(day.isoformat()),
            deadline=dates.clock(deadline),
            minutes=minutes,
        )
        buttons = [
            [Choice(plan.t(locale, "schedule.remind_report_button"), REPORT_BUTTON)],
            [Choice(plan.t(locale, "schedule.remind_nil_button"), NIL_BUTTON)],
        ]
        return Outbound(text, buttons)

    return plan.each(
        rows,
        lambda r: f"{prefix}:{day.isoformat()}:{r.member_id}",
        message,
        expires_iso=iso(deadline),
    )


async def digest(plan: Plan) -> list[Planned]:
    """After the deadline: each team leader privately gets who in the team has not reported
    (and who is on leave), so they can follow up in person."""
    day = plan.slot.date()
    day_iso = day.isoformat()
    rows = await members.led_teams_on(plan.tx, day_iso, role_names(REPORTING_ROLES))
    teams: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        teams[int(row["unit_id"])].append(row)
    leaders = await recipients.audience(plan.tx, Audience(roles=("leader",)), plan.served)
    deadline = dates.clock(deadline_of(plan, day))

    def message(leader: Recipient, locale: str) -> Outbound:
        """The leader's list for their own team."""
        team = teams.get(leader.unit_id, [])
        return Outbound(_digest_text(plan, locale, leader.unit_name, day, deadline, team))

    return plan.each(leaders, lambda r: f"digest:{day_iso}:{r.member_id}", message)


def _digest_text(
    plan: Plan, locale: str, unit: str, day: date, deadline: str, team: list[Row]
) -> str:
    """The leader's list: who has not reported, who is excused, and the count."""
    missing = [r for r in team if not r["reported"] and not r["on_leave"]]
    leave = [r for r in team if r["on_leave"] and not r["reported"]]
    expected = len(team) - len(leave)
    done = expected - len(missing)
    lines = [
        plan.t(
            locale,
            "schedule.digest_title",
            unit=unit,
            date=dates.stored_day(day.isoformat()),
            deadline=deadline,
        )
    ]
    if not missing:
        lines.append(plan.t(locale, "schedule.digest_all_done", done=done, total=expected))
    else:
        lines.append(plan.t(locale, "schedule.digest_missing", count=len(missing), total=expected))
        lines += [f"  • {r['full_name']}" for r in missing]
    if leave:
        lines.append(plan.t(locale, "schedule.digest_leave", count=len(leave)))
        lines += [f"  • {r['full_name']}" for r in leave]
    if missing:
        lines.append("")
        lines.append(plan.t(locale, "schedule.digest_hint"))
    return "\n".join(lines)
