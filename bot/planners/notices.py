"""Dated notices: milestone deadlines for officers, and the start of each emulation phase."""

from __future__ import annotations

import hashlib

from bot.model import Outbound
from bot.reporting import report_date_text
from bot.scheduler import Plan
from storage import recipients
from storage.outbox import Planned
from storage.recipients import Audience


def _tag(name: str) -> str:
    """A short stable id for a configured name (keys must not change with its diacritics)."""
    return hashlib.sha1(name.encode()).hexdigest()[:10]


async def milestones_and_phases(plan: Plan) -> list[Planned]:
    """Each morning: milestone reminders due today, and phases that start today."""
    return [*await _milestones(plan), *await _phases(plan)]


async def _milestones(plan: Plan) -> list[Planned]:
    """Remind a milestone's audience N days before its due date, for each N configured."""
    today = plan.slot.date()
    items: list[Planned] = []
    for milestone in plan.services.config.reminders.milestones:
        days = (milestone.due - today).days
        if days not in milestone.days_before:
            continue
        who = Audience(paths=[milestone.unit] if milestone.unit else (), roles=milestone.roles)
        due = report_date_text(milestone.due.isoformat())
        for row in await recipients.audience(plan.tx, who, plan.served):
            if row["channel"] is None:
                continue
            locale = str(row["locale"])
            if days == 0:
                text = plan.t(locale, "schedule.milestone_today", name=milestone.name, due=due)
            else:
                text = plan.t(
                    locale, "schedule.milestone_days", name=milestone.name, due=due, days=days
                )
            items.append(
                Planned(
                    f"milestone:{milestone.due.isoformat()}:{_tag(milestone.name)}:{days}d:"
                    f"{row['id']}",
                    str(row["channel"]),
                    str(row["chat_id"]),
                    int(row["id"]),
                    Outbound(text).to_payload(),
                    plan.at,
                )
            )
    return items


async def _phases(plan: Plan) -> list[Planned]:
    """On a phase's first day, every member of the units it covers gets its name and theme."""
    today = plan.slot.date()
    items: list[Planned] = []
    for phase in plan.services.config.tally.phases:
        if phase.start != today:
            continue
        who = Audience(paths=phase.units)
        for row in await recipients.audience(plan.tx, who, plan.served):
            if row["channel"] is None:
                continue
            locale = str(row["locale"])
            lines = [
                plan.t(
                    locale,
                    "schedule.phase_start",
                    name=phase.name,
                    start=report_date_text(phase.start.isoformat()),
                    end=report_date_text(phase.end.isoformat()),
                )
            ]
            if phase.theme:
                lines.append(plan.t(locale, "schedule.phase_theme", theme=phase.theme))
            items.append(
                Planned(
                    f"phase:{phase.start.isoformat()}:{_tag(phase.name)}:{row['id']}",
                    str(row["channel"]),
                    str(row["chat_id"]),
                    int(row["id"]),
                    Outbound("\n".join(lines)).to_payload(),
                    plan.at,
                )
            )
    return items
