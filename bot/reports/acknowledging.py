"""Taking an urgent report up ("Đã tiếp nhận"), one rule for the alert's button in chat and
the /khan page.

Officers of an area that holds the report take it up; a supervisor may once the escalation
ladder has reached them. The first one wins (`reports.acknowledge` stores it only once); the
reporter is told who took it up, quiet hours or not (it answers their emergency); every step
of the ladder not sent yet is cancelled and every alert already delivered is edited to say who
took it up (but the one pressed in chat, which the channel replaces itself).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.core import dates
from bot.core.clock import iso
from bot.core.i18n import Texts
from bot.core.model import Outbound
from bot.core.roles import ALERT_ROLES, in_scope, role_label
from bot.outbox.notify import notify_member
from bot.reports.alert_ladder import stop_alerts
from bot.reports.forms import Forms
from storage import members, outbox, reports
from storage.db import Tx
from storage.members import Member
from storage.reports import Report

Status = Literal["done", "not_found", "not_allowed", "already"]


@dataclass(frozen=True)
class TakeUp:
    """What pressing "Đã tiếp nhận" did; `already` names who was first, and when."""

    status: Status
    report: Report | None = None
    first_name: str = ""
    first_at: str = ""  # as people read it: 21:05 30/11/2026
    queued: bool = False  # messages went to the outbox (the sender should be woken)
    told: bool = False  # the reporter is among them (else the officer should call)


async def take_up(
    tx: Tx,
    texts: Texts,
    forms: Forms,
    me: Member,
    report_id: int | None,
    now: datetime,
    served: Collection[str] | None,
    *,
    pressed_alert: bool,
) -> TakeUp:
    """Store the first acknowledgement, tell the reporter, close the other alerts.

    `pressed_alert` is True when it comes from the alert's own button (that message is
    replaced by the chat's answer, so it is not edited as well)."""
    row = await reports.get(tx, report_id) if report_id is not None else None
    if (
        row is None
        or row.status != "active"
        or not row.urgent  # only tips and fires are acknowledged (a forged id of a patrol)
        or not in_scope(me.unit_path, row.unit_path)
    ):
        return TakeUp("not_found")
    if me.role not in ALERT_ROLES and not await reports.was_alerted(tx, row.id, me.id):
        return TakeUp("not_allowed", row)  # a supervisor only once the ladder reached them
    now_iso = iso(now)
    if not await reports.acknowledge(tx, row.id, me.id, now_iso):
        first = await members.get(tx, row.ack_by) if row.ack_by is not None else None
        return TakeUp(
            "already",
            row,
            first_name=first.full_name if first else "?",
            first_at=dates.stored_stamp(str(row.ack_at)),
        )
    when = dates.stamp(now)
    told = await _tell_reporter(tx, texts, me, row, when, now_iso, served)
    edited = await _close_other_alerts(tx, texts, forms, me, row, when, now_iso, pressed_alert)
    return TakeUp("done", row, queued=told or edited, told=told)


async def _tell_reporter(
    tx: Tx,
    texts: Texts,
    me: Member,
    report: Report,
    when: str,
    now_iso: str,
    served: Collection[str] | None,
) -> bool:
    reporter = await members.get(tx, report.member_id)
    if reporter is None:
        return False
    text = texts.t(
        reporter.locale,
        "ack.reporter_notice",
        number=report.number,
        name=me.full_name,
        role=role_label(me.role, reporter.locale),  # a supervisor the ladder reached
        time=when,
    )
    # Answers an emergency: quiet hours do not hold it.
    key = f"ack-notice:{report.id}"
    return await notify_member(
        tx, report.member_id, key, Outbound(text), now_iso, served, urgent=True
    )


async def _close_other_alerts(
    tx: Tx,
    texts: Texts,
    forms: Forms,
    me: Member,
    report: Report,
    when: str,
    now_iso: str,
    pressed_alert: bool,
) -> bool:
    """Cancel the ladder's steps not sent yet and edit the delivered alerts to say who took
    the report up; True when an edit was queued."""
    await stop_alerts(tx, report.id, forms.find(report.kind), report.answers)
    queued = False
    for alert in await reports.alerts_of(tx, report.id):
        if alert["status"] not in ("sent", "sending"):
            continue  # cancelled, or never delivered (blocked, given up): nothing to edit
        if pressed_alert and int(alert["member_id"]) == me.id:
            continue  # the pressed message loses its button through the channel
        step = int(alert["step"])
        officer = await members.get(tx, int(alert["member_id"]))
        locale = officer.locale if officer else "vi"
        text = texts.t(locale, "ack.closed", number=report.number, name=me.full_name, time=when)
        await outbox.enqueue(
            tx,
            dedupe_key=f"ack-close:{report.id}:{alert['member_id']}"
            + (f":step:{step}" if step else ""),
            channel=str(alert["channel"]),
            chat_id=str(alert["chat_id"]),
            member_id=int(alert["member_id"]),
            payload={"edit_of": int(alert["outbox_id"]), **Outbound(text).to_payload()},
            not_before_iso=now_iso,
            now_iso=now_iso,
            urgent=True,  # answers an emergency: quiet hours do not hold it
        )
        queued = True
    return queued
