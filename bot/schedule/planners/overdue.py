"""Each morning: the urgent reports left too long in an open state, listed to the officers
whose area holds them, with a button to open each."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core import dates
from bot.core.clock import iso
from bot.core.model import Choice, Outbound
from bot.core.roles import ALERT_ROLES, in_scope, role_names
from bot.reports.lifecycle import CASE_PREFIX, OPEN_STATES
from bot.schedule.scheduler import Plan
from storage import overdue as overdue_store
from storage import recipients
from storage.outbox import Planned
from storage.overdue import OverdueCase
from storage.recipients import Audience, Recipient

MAX_BUTTONS = 20  # a longer list still names every report; /tinbao shows the rest


async def overdue_reports(plan: Plan) -> list[Planned]:
    """One list per officer per day (the key holds the day), naming only the reports in
    their area past the configured days for their state."""
    days = plan.services.config.alerts.overdue
    slot = plan.slot
    cutoffs = {
        state.value: iso(slot - timedelta(days=float(getattr(days, state.value))))
        for state in OPEN_STATES
    }
    cases = await overdue_store.overdue(plan.tx, cutoffs)
    if not cases:
        return []
    who = Audience(roles=role_names(ALERT_ROLES))
    officers = await recipients.audience(plan.tx, who, plan.served)
    mine = {r.member_id: [c for c in cases if in_scope(r.unit_path, c.unit_path)] for r in officers}
    day = slot.date().isoformat()

    def message(row: Recipient, locale: str) -> Outbound:
        """The officer's own overdue reports, each with its button."""
        return _message(plan, locale, mine[row.member_id], slot)

    return plan.each(
        [r for r in officers if mine[r.member_id]],
        lambda r: f"overdue:{day}:{r.member_id}",
        message,
    )


def _message(plan: Plan, locale: str, cases: list[OverdueCase], now: datetime) -> Outbound:
    """'⏰ N overdue' and one line per report: number, kind, team, state, age."""
    forms = plan.services.forms
    lines = [
        plan.t(
            locale,
            "case.overdue_title",
            count=len(cases),
            date=dates.stored_day(now.date().isoformat()),
        )
    ]
    for case in cases:
        title = forms.title(case.kind, locale)
        lines.append(
            plan.t(
                locale,
                "case.overdue_line",
                number=case.number,
                title=title,
                unit=case.unit_name,
                state=plan.t(locale, f"case.state_{case.state}"),
                age=_age(plan, locale, now - datetime.fromisoformat(case.created_at)),
            )
        )
    lines.append(plan.t(locale, "case.overdue_hint"))
    buttons = [
        Choice(plan.t(locale, "case.open_button", number=c.number), CASE_PREFIX + str(c.id))
        for c in cases[:MAX_BUTTONS]
    ]
    return Outbound("\n".join(lines), [buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def _age(plan: Plan, locale: str, age: timedelta) -> str:
    """How long since filing: whole days, or hours under a day."""
    if age >= timedelta(days=1):
        return plan.t(locale, "case.age_days", count=age.days)
    return plan.t(locale, "case.age_hours", count=max(1, int(age.total_seconds() // 3600)))
