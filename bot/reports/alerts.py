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
from storage.db import Row

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
            await _queue_voices(ctx, category, report_id, number, answers, officer, contact)
    ctx.queued = ctx.queued or sent > 0
    return sent


def voice_answers(category: Category, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's voice notes as (field key, file reference), in form order."""
    found = []
    for f in category.fields:
        value = answers.get(f.key)
        if isinstance(value, dict) and value.get("voice"):
            found.append((f.key, str(value["voice"])))
    return found


def playable_on(channel: str, ref: str) -> bool:
    """A voice note is sent again by the messenger's own file id: only there can it play."""
    return ref.startswith("tg:") and channel == "telegram"


def voice_key(report_id: int, officer_id: int, field: str) -> str:
    """The outbox key of a voice note sent after an officer's alert: acknowledging cancels
    it with the alert when neither has gone yet."""
    return f"alert:{report_id}:{officer_id}:voice:{field}"


async def _queue_voices(
    ctx: Context,
    category: Category,
    report_id: int,
    number: str,
    answers: dict[str, Any],
    officer: Row,
    contact: Row,
) -> None:
    """Each voice note right after the alert, so the officer can play it in the chat.

    Queued after the alert with the same time, so the sender sends it next in that chat;
    an officer reached on a messenger that cannot play it sees the note's length only.
    """
    channel = str(contact["channel"])
    locale = str(officer["locale"])
    for key, ref in voice_answers(category, answers):
        if not playable_on(channel, ref):
            continue
        label = category.field(key).label.get(locale)
        caption = ctx.services.texts.t(locale, "voice.alert", number=number, label=label)
        await outbox.enqueue(
            ctx.tx,
            dedupe_key=voice_key(report_id, int(officer["id"]), key),
            channel=channel,
            chat_id=str(contact["chat_id"]),
            member_id=int(officer["id"]),
            payload=Outbound.voice_payload(ref, caption),
            not_before_iso=ctx.now_iso,
            now_iso=ctx.now_iso,
            urgent=True,
        )
