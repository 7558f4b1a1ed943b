"""Urgent alerts: a tip or a fire goes to every officer over the reporter's team, each in
the officer's own language, with a button to acknowledge it; then up the escalation ladder
until someone does. What was reached is returned, so the member is told the truth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.engine import Context
from bot.outbox.quiet import quiet_ends
from bot.reports.alert_ladder import deliver, officers_of, queue_ladder
from bot.reports.alert_message import ACK_PREFIX
from bot.reports.forms import Category

__all__ = ["ACK_PREFIX", "Reach", "first_alert_at", "queue_alerts"]


@dataclass(frozen=True)
class Reach:
    """What filing an urgent report set going: how many officers the first alert goes to,
    when it goes (filing time, or the end of quiet hours for a tip that is not pressing),
    whether it is urgent (day or night, with the ladder) and how many later steps wait."""

    officers: int
    filed: datetime
    at: datetime
    urgent: bool
    later: int = 0
    above_now: int = 0  # nobody in the commune: people above it alerted at once instead

    @property
    def held(self) -> bool:
        """The first alert waits for the morning (a tip marked not urgent, filed at night)."""
        return self.at > self.filed


def first_alert_at(ctx: Context, urgent: bool) -> datetime:
    """An urgent report goes now; one that is not pressing waits out quiet hours."""
    if urgent:
        return ctx.now
    hours = ctx.services.config.reminders
    return quiet_ends(ctx.now, hours.quiet_start, hours.quiet_end)


async def queue_alerts(
    ctx: Context, category: Category, report_id: int, number: str, answers: dict[str, Any]
) -> Reach:
    """Queue an alert with an acknowledge button to every officer over the reporter's team
    and, for an urgent report, every later step of the escalation ladder (even when the
    first alert reached nobody: the ladder is then how the level above hears of it).

    Each alert is wholly in its officer's language, whatever language the reporter uses.
    """
    urgent = category.urgent_for(answers)
    at = first_alert_at(ctx, urgent)
    reached: set[int] = set()
    officers_over = await officers_of(ctx)
    for officer in officers_over:
        if await deliver(
            ctx,
            officer,
            category=category,
            report_id=report_id,
            number=number,
            answers=answers,
            step=0,
            due=at,
            urgent=urgent,
            media=True,
        ):
            reached.add(int(officer["id"]))
    officers = len(reached)
    if not urgent:
        return Reach(officers, ctx.now, at, urgent)
    # Nobody in the commune to wait for: the level above hears at once, not in 30 minutes.
    at_once = officers == 0
    later = await queue_ladder(
        ctx, category, report_id, number, answers, officers_over, reached, at_once
    )
    return Reach(officers, ctx.now, at, urgent, later, above_now=later if at_once else 0)
