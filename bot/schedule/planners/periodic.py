"""Monthly rhythm: last period's tally to officers, and a nudge to teams with no good deed.

The tally itself is built when each message is sent (bot/tally/deferred.py), so planning a
province's tallies only queues small descriptors and never holds the database for long.
"""

from __future__ import annotations

from datetime import timedelta

from bot.core import dates
from bot.core.bots import messenger_of
from bot.core.model import Choice, Outbound
from bot.core.roles import MONTHLY_TALLY_ROLES, REPORTING_ROLES, role_names
from bot.schedule.planners.daily import REPORT_BUTTON
from bot.schedule.scheduler import Plan
from bot.tally import periods
from storage import recipients, units
from storage.outbox import Planned
from storage.recipients import Audience, Recipient

ZALO = "zalo"  # files there are links: a chart goes as a photo beside the workbook's link


async def monthly_tally(plan: Plan) -> list[Planned]:
    """On the first day of a period: each commune officer and supervisor gets the period that
    just ended for their own unit, as the message and (where the messenger takes files) the
    workbook, two rows so each is sent exactly once. On Zalo (files by link) the workbook's
    row also carries the chart, sent by sendPhoto; on Telegram it stays one document whose
    caption is the message."""
    config = plan.services.config
    ended = periods.month(plan.slot.date() - timedelta(days=1), config.tally.month_starts_on)
    who = Audience(roles=role_names(MONTHLY_TALLY_ROLES))
    rows = await recipients.audience(plan.tx, who, plan.served)
    fileless = plan.services.fileless_channels
    items = []
    for row in rows:
        if row.channel is None or row.chat_id is None:
            continue
        channel = row.channel
        files = channel not in fileless
        base = {
            "unit_id": row.unit_id,
            "member_id": row.member_id,  # the workbook's details follow their role
            "period": ended.code,
            "locale": row.locale,
            "files": files,
            "chart": files and messenger_of(channel) == ZALO,
        }
        key = f"tally:{ended.code}:{row.member_id}"
        common = (channel, row.chat_id, row.member_id)
        items.append(Planned(f"{key}:text", *common, {"render": "tally", **base}, plan.at))
        if files:
            items.append(Planned(f"{key}:xlsx", *common, {"render": "tally_xlsx", **base}, plan.at))
    return items


async def nudge(plan: Plan) -> list[Planned]:
    """Mid-month: members of teams with no good deed yet this period get an encouragement."""
    services = plan.services
    config = services.config
    period = periods.month(plan.slot.date(), config.tally.month_starts_on)
    today = plan.slot.date().isoformat()
    kind = config.tally.sources.good_deed_kind
    teams = await units.teams_without_report(plan.tx, kind, period.start.isoformat(), today)
    if not teams:
        return []
    who = Audience(roles=role_names(REPORTING_ROLES), unit_ids=teams, not_on_leave=today)
    rows = await recipients.audience(plan.tx, who, plan.served)
    target = config.tally.targets.good_deeds_per_month

    def message(row: Recipient, locale: str) -> Outbound:
        """The encouragement, with a button that opens the report wizard."""
        text = plan.t(
            locale,
            "schedule.nudge",
            unit=row.unit_name,
            start=dates.stored_day(period.start.isoformat()),
            target=target,
        )
        return Outbound(text, [[Choice(plan.t(locale, "schedule.nudge_button"), REPORT_BUTTON)]])

    return plan.each(rows, lambda r: f"nudge:{period.code}:{r.member_id}", message)
