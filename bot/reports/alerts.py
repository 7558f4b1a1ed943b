"""Urgent alerts: a tip or a fire goes at once to every officer over the reporter's team,
each in the officer's own language, with a button to acknowledge it."""

from __future__ import annotations

from typing import Any

from bot.core.engine import Context
from bot.core.roles import ALERT_ROLES, role_names
from bot.reports.alert_media import queue_media
from bot.reports.alert_message import ACK_PREFIX, alert_message
from bot.reports.forms import Category
from storage import members, outbox, reports

__all__ = ["ACK_PREFIX", "queue_alerts"]


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
        message = await alert_message(
            ctx.tx,
            ctx.services.texts,
            str(officer["locale"]),
            category=category,
            report_id=report_id,
            number=number,
            reporter=member,
            filed_at=ctx.now,
            answers=answers,
            channel=str(contact["channel"]),
            map_url=ctx.services.config.alerts.map_url,
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
            await queue_media(ctx, category, report_id, number, answers, officer, contact)
    ctx.queued = ctx.queued or sent > 0
    return sent
