"""Commune police: acknowledge urgent reports ("Đã tiếp nhận"), the first step of their life.

The rule lives in bot/reports/acknowledging.py, shared with the /khan web page; this is the
alert's button and what the chat answers.
"""

from __future__ import annotations

from bot.core import dates
from bot.core.engine import Context
from bot.core.ids import id_after
from bot.reports.acknowledging import take_up
from bot.reports.alert_message import ACK_PREFIX
from handlers.case_steps import ack_done_reply


async def acknowledge(ctx: Context) -> None:
    """Store the first acknowledgement, tell the reporter, drop the button for the others."""
    assert ctx.member is not None
    taken = await take_up(
        ctx.tx,
        ctx.services.texts,
        ctx.forms,
        ctx.member,
        id_after(ctx.value, ACK_PREFIX),
        ctx.now,
        ctx.served,
        pressed_alert=True,
    )
    if taken.queued:
        ctx.queued = True
    if taken.status == "not_found":
        ctx.reply(ctx.t("ack.not_found"))
    elif taken.status == "not_allowed":
        ctx.reply(ctx.t("ack.not_allowed"))
    elif taken.status == "already":
        assert taken.report is not None
        ctx.reply(
            ctx.t(
                "ack.already",
                number=taken.report.number,
                name=taken.first_name,
                time=taken.first_at,
            )
        )
    else:
        assert taken.report is not None
        done = ctx.t("ack.done", number=taken.report.number, time=dates.stamp(ctx.now))
        ack_done_reply(ctx, taken.report, done)
