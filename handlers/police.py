"""Commune police: acknowledge urgent reports ("Đã tiếp nhận"), the first step of their life."""

from __future__ import annotations

from bot.core import dates
from bot.core.engine import Context
from bot.core.ids import id_after
from bot.core.model import Outbound
from bot.core.roles import ALERT_ROLES, in_scope, role_label
from bot.reports.alert_ladder import stop_alerts
from bot.reports.alert_message import ACK_PREFIX
from handlers.case_steps import ack_done_reply
from storage import members, outbox, reports
from storage.reports import Report


async def acknowledge(ctx: Context) -> None:
    """Store the first acknowledgement, tell the reporter, drop the button for the others."""
    assert ctx.member is not None
    report_id = id_after(ctx.value, ACK_PREFIX)
    row = await reports.get(ctx.tx, report_id) if report_id is not None else None
    me = ctx.member
    if (
        row is None
        or row.status != "active"
        or not row.urgent  # only tips and fires are acknowledged (a forged id of a patrol)
        or not in_scope(me.unit_path, row.unit_path)
    ):
        ctx.reply(ctx.t("ack.not_found"))
        return
    if me.role not in ALERT_ROLES and not await reports.was_alerted(ctx.tx, row.id, me.id):
        # officers take reports up; a supervisor may once the ladder has reached them
        ctx.reply(ctx.t("ack.not_allowed"))
        return
    report_id = row.id
    if not await reports.acknowledge(ctx.tx, report_id, me.id, ctx.now_iso):
        first = await members.get(ctx.tx, row.ack_by) if row.ack_by is not None else None
        ctx.reply(
            ctx.t(
                "ack.already",
                number=row.number,
                name=first.full_name if first else "?",
                time=dates.stored_stamp(str(row.ack_at)),
            )
        )
        return
    when = dates.stamp(ctx.now)
    ack_done_reply(ctx, row, ctx.t("ack.done", number=row.number, time=when))
    await _notify_reporter(ctx, row, when)
    await _close_other_alerts(ctx, row, when)


async def _notify_reporter(ctx: Context, report: Report, when: str) -> None:
    assert ctx.member is not None
    reporter_id = report.member_id
    reporter = await members.get(ctx.tx, reporter_id)
    if reporter is None:
        return
    text = ctx.services.texts.t(
        reporter.locale,
        "ack.reporter_notice",
        number=report.number,
        name=ctx.member.full_name,
        role=role_label(ctx.member.role, reporter.locale),  # a supervisor the ladder reached
        time=when,
    )
    # Answers an emergency: quiet hours do not hold it.
    await ctx.notify(reporter_id, f"ack-notice:{report.id}", Outbound(text), urgent=True)


async def _close_other_alerts(ctx: Context, report: Report, when: str) -> None:
    assert ctx.member is not None
    report_id, number = report.id, report.number
    kind = ctx.forms.find(report.kind)
    # Every step of the ladder not sent yet (the reminders, the level above) is cancelled,
    # so nothing more goes out once someone has taken the report up; the delivered ones
    # are edited to say who did.
    await stop_alerts(ctx.tx, report_id, kind, report.answers)
    for alert in await reports.alerts_of(ctx.tx, report_id):
        if alert["status"] not in ("sent", "sending"):
            continue  # cancelled, or never delivered (blocked, given up): nothing to edit
        if int(alert["member_id"]) == ctx.member.id:
            continue  # the pressed message loses its button through the channel
        step = int(alert["step"])
        officer = await members.get(ctx.tx, int(alert["member_id"]))
        locale = officer.locale if officer else ctx.locale
        text = ctx.services.texts.t(
            locale, "ack.closed", number=number, name=ctx.member.full_name, time=when
        )
        await outbox.enqueue(
            ctx.tx,
            dedupe_key=f"ack-close:{report_id}:{alert['member_id']}"
            + (f":step:{step}" if step else ""),
            channel=str(alert["channel"]),
            chat_id=str(alert["chat_id"]),
            member_id=int(alert["member_id"]),
            payload={"edit_of": int(alert["outbox_id"]), **Outbound(text).to_payload()},
            not_before_iso=ctx.now_iso,
            now_iso=ctx.now_iso,
            urgent=True,  # answers an emergency: quiet hours do not hold it
        )
        ctx.queued = True
