"""The media sent after an alert (voice notes, to be played in the officer's chat), and
which of them a messenger can play."""

from __future__ import annotations

from typing import Any

from bot.core.engine import Context
from bot.core.model import Outbound
from bot.reports.forms import Category
from storage import outbox
from storage.db import Row


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


async def queue_voices(
    ctx: Context,
    category: Category,
    report_id: int,
    number: str,
    answers: dict[str, Any],
    officer: Row,
    contact: Row,
    *,
    urgent: bool = True,
    not_before_iso: str | None = None,
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
            not_before_iso=not_before_iso or ctx.now_iso,
            now_iso=ctx.now_iso,
            urgent=urgent,
        )
