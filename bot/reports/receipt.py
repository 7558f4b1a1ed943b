"""The member's receipt for an urgent report: exactly who its alert reached and when, or
that nobody could be reached, with the numbers to call instead. Never a send that did not
happen."""

from __future__ import annotations

from bot.core import dates
from bot.core.engine import Context
from bot.reports.alerts import Reach
from storage import units


async def urgent_receipt(ctx: Context, reach: Reach) -> str:
    """What to tell the member after filing: sent now to N officers, held for the morning
    (a tip marked not urgent, at night), or reached nobody in the commune (and how many
    above it were alerted at once instead), with the commune's phone number when the unit
    data has one and always the emergency numbers."""
    if reach.officers == 0:
        if reach.above_now:  # nobody in the commune, but the level above heard at once
            lines = [ctx.t("ladder.no_officer"), ctx.t("ladder.above_now", count=reach.above_now)]
        else:
            lines = [ctx.t("ladder.nobody")]
        assert ctx.member is not None
        for unit in await units.line_above(ctx.tx, ctx.member.unit_path):
            if unit.phone:
                lines.append(ctx.t("ladder.call_unit", unit=unit.name, phone=unit.phone))
                break
        lines.append(ctx.t("ladder.emergency"))
        return "\n".join(lines)
    if reach.held:
        key = (
            "ladder.held_tomorrow" if reach.at.date() > reach.filed.date() else "ladder.held_today"
        )
        return ctx.t(key, time=dates.clock(reach.at))
    if reach.urgent:
        return ctx.t("wizard.saved_urgent", count=reach.officers)
    return ctx.t("ladder.sent_normal", count=reach.officers)
