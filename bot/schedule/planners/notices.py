"""Dated notices: milestone deadlines for officers, and the start of each emulation phase."""

from __future__ import annotations

import hashlib

from bot.core import dates
from bot.core.config import Milestone, Phase
from bot.core.model import Outbound
from bot.core.roles import OVERSIGHT_ROLES
from bot.phasereport import milestones as report_milestones
from bot.schedule.scheduler import Plan
from storage import recipients
from storage.outbox import Planned
from storage.recipients import Audience, Recipient


def _tag(name: str) -> str:
    """A short stable id for a configured name (keys must not change with its diacritics)."""
    return hashlib.sha1(name.encode()).hexdigest()[:10]


async def milestones_and_phases(plan: Plan) -> list[Planned]:
    """Each morning: milestone reminders due today, and phases that start today."""
    today = plan.slot.date()
    items: list[Planned] = []
    for milestone in plan.services.config.reminders.milestones:
        days = (milestone.due - today).days
        if days in milestone.days_before:
            items += await _milestone(plan, milestone, days)
    for phase in plan.services.config.tally.phases:
        if phase.start == today:
            items += await _phase(plan, phase)
    return items


async def _milestone(plan: Plan, milestone: Milestone, days: int) -> list[Planned]:
    """Remind a milestone's audience (roles within its unit) that it is due in `days`."""
    due = dates.stored_day(milestone.due.isoformat())
    tag = f"milestone:{milestone.due.isoformat()}:{_tag(milestone.name)}:{days}d"

    who = Audience(paths=[milestone.unit] if milestone.unit else (), roles=milestone.roles)
    rows = await recipients.audience(plan.tx, who, plan.served)
    progress: dict[str, report_milestones.Progress] = {}
    if milestone.report:  # a phase report: not to those whose commune has sent it
        rows, progress = await report_milestones.still_due(plan.tx, milestone, rows)

    def message(row: Recipient, locale: str) -> Outbound:
        """'N days left' or 'due today', in the recipient's language; for a phase report,
        how to mark it sent and, above communes, how many below have."""
        if days == 0:
            text = plan.t(locale, "schedule.milestone_today", name=milestone.name, due=due)
        else:
            text = plan.t(
                locale, "schedule.milestone_days", name=milestone.name, due=due, days=days
            )
        if milestone.report:
            done = progress.get(row.unit_path)
            if done is not None:
                text += "\n" + plan.t(
                    locale, "phase_report.reminder_progress", done=done.done, total=done.total
                )
            if row.role in OVERSIGHT_ROLES:  # who may draft it and mark it sent
                text += "\n" + plan.t(locale, "phase_report.reminder_hint")
        return Outbound(text)

    return plan.each(rows, lambda row: f"{tag}:{row.member_id}", message)


async def _phase(plan: Plan, phase: Phase) -> list[Planned]:
    """On a phase's first day, every member of the units it covers gets its name and theme."""
    tag = f"phase:{phase.start.isoformat()}:{_tag(phase.name)}"

    def message(row: Recipient, locale: str) -> Outbound:
        """The phase's name and dates, then its theme."""
        lines = [
            plan.t(
                locale,
                "schedule.phase_start",
                name=phase.name,
                start=dates.stored_day(phase.start.isoformat()),
                end=dates.stored_day(phase.end.isoformat()),
            )
        ]
        if phase.theme:
            lines.append(plan.t(locale, "schedule.phase_theme", theme=phase.theme))
        return Outbound("\n".join(lines))

    rows = await recipients.audience(plan.tx, Audience(paths=phase.units), plan.served)
    return plan.each(rows, lambda row: f"{tag}:{row.member_id}", message)
