"""Urgent alerts: a tip or a fire goes at once to every officer over the reporter's team,
each in the officer's own language, with a button to acknowledge it."""

from __future__ import annotations

from typing import Any

from bot.core import dates
from bot.core.engine import Context
from bot.core.model import Choice, Outbound
from bot.core.roles import ALERT_ROLES, role_names
from bot.reports.filling import summary_lines
from bot.reports.forms import Category
from bot.reports.kinds import Viewer
from storage import members, outbox, reports

ACK_PREFIX = "ack:"  # the acknowledge button's data: ack:<report id>


async def queue_alerts(
    ctx: Context, category: Category, report_id: int, number: str, answers: dict[str, Any]
) -> int:
    """Queue an alert with an acknowledge button to every officer over the reporter's team.

    Each alert is wholly in its officer's language, whatever language the reporter uses.
    """
    member = ctx.member
    assert member is not None
    officers = await members.officers_over(ctx.tx, member.unit_path, role_names(ALERT_ROLES))
    sent = 0
    for officer in officers:
        contact = await members.contact(ctx.tx, int(officer["id"]), ctx.served)
        if contact is None:
            continue
        locale = str(officer["locale"])
        texts = ctx.services.texts
        lines = [
            texts.t(locale, "alert.title", title=category.title(locale), number=number),
            texts.t(
                locale,
                "alert.from",
                name=member.full_name,
                unit=member.unit_name,
                time=dates.stamp(ctx.now),
            ),
            "",
            *(await summary_lines(Viewer(texts, locale, ctx.tx), category, answers)),
        ]
        message = Outbound(
            "\n".join(lines),
            [[Choice(texts.t(locale, "alert.ack_button"), ACK_PREFIX + str(report_id))]],
        )
        outbox_id = await outbox.enqueue(
            ctx.tx,
            dedupe_key=f"alert:{report_id}:{officer['id']}",
            channel=str(contact["channel"]),
            chat_id=str(contact["chat_id"]),
            member_id=int(officer["id"]),
            payload=message.to_payload(),
            not_before_iso=ctx.now_iso,
            now_iso=ctx.now_iso,
            urgent=True,  # an emergency: quiet hours never hold it
        )
        if outbox_id is not None:
            await reports.add_alert(ctx.tx, report_id, int(officer["id"]), outbox_id)
            sent += 1
    ctx.queued = ctx.queued or sent > 0
    return sent
