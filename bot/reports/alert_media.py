"""The media sent after an alert (voice notes to play and photos to see in the officer's chat),
which of them a messenger can show, and what the alert says of the photos it cannot."""

from __future__ import annotations

from typing import Any

from bot.core.bots import messenger_of, tg_parts
from bot.core.config import Config
from bot.core.engine import Context
from bot.core.i18n import Texts
from bot.core.model import Outbound
from bot.reports.forms import Category
from storage import outbox
from storage.db import Row

# Where a file reference came from, by its prefix: Telegram's file ids can be sent again on
# Telegram; Zalo photos are files on the bot's own disk. Zalo shows a photo only from a URL:
# with `[web] public_url` set, the bot's web server serves both kinds (a Telegram one fetched
# through the Bot API, so only with a Telegram token).
TELEGRAM_PREFIX = "tg:"
FILE_PREFIX = "file:"
MESSENGER_NAMES = {TELEGRAM_PREFIX: "Telegram"}
ZALO = "zalo"


def voice_answers(category: Category, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's voice notes as (field key, file reference), in form order."""
    found = []
    for f in category.fields:
        value = answers.get(f.key)
        if isinstance(value, dict) and value.get("voice"):
            found.append((f.key, str(value["voice"])))
    return found


def photo_answers(category: Category, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's photos as (field key, file reference), in form order."""
    found: list[tuple[str, str]] = []
    for f in category.fields:
        value = answers.get(f.key)
        if f.type == "photo" and isinstance(value, list):
            found.extend((f.key, str(ref)) for ref in value)
    return found


def playable_on(channel: str, ref: str) -> bool:
    """A voice note or photo is sent again by the messenger's own file id: only there can
    it be shown."""
    return ref.startswith(TELEGRAM_PREFIX) and tg_parts(ref)[1] == channel


def photo_shown(config: Config | None, channel: str, ref: str) -> bool:
    """Whether a photo can be shown in this messenger: by its own file id (Telegram), a
    photo stored on the bot's disk uploaded (Telegram takes uploads), or by a link to the
    bot's web server (Zalo, when file links are on and the bot can get it)."""
    if playable_on(channel, ref):
        return True
    if messenger_of(channel) == "telegram" and ref.startswith(FILE_PREFIX):
        return True
    if config is None or messenger_of(channel) != ZALO or not config.web.enabled:
        return False
    return ref.startswith(FILE_PREFIX) or (
        ref.startswith(TELEGRAM_PREFIX) and bool(config.telegram_token or config.telegram.bots)
    )


def voice_key(report_id: int, officer_id: int, field: str) -> str:
    """The outbox key of a voice note sent after an officer's alert: acknowledging cancels
    it with the alert when neither has gone yet."""
    return f"alert:{report_id}:{officer_id}:voice:{field}"


def photo_key(report_id: int, officer_id: int, index: int) -> str:
    """The outbox key of the `index`-th photo (from 1) sent after an officer's alert."""
    return f"alert:{report_id}:{officer_id}:photo:{index}"


def media_keys(
    category: Category, answers: dict[str, Any], report_id: int, officer_id: int
) -> list[str]:
    """Every outbox key the media after an officer's alert may have (voice notes and
    photos), so acknowledging withdraws them with the alert when none has gone yet."""
    voices = [voice_key(report_id, officer_id, key) for key, _ in voice_answers(category, answers)]
    photos = photo_answers(category, answers)
    return voices + [photo_key(report_id, officer_id, i) for i in range(1, len(photos) + 1)]


def photo_lines(
    texts: Texts,
    locale: str,
    channel: str,
    category: Category,
    answers: dict[str, Any],
    *,
    already_sent: bool = False,
    config: Config | None = None,
) -> list[str]:
    """What the alert says of the report's photos: that they follow (where the officer's
    messenger can show them; on a later step of the ladder, that they came with the first
    alert), else how many there are and where they can be seen. `config` tells whether
    file links are on (Zalo then shows them too)."""
    refs = [ref for _, ref in photo_answers(category, answers)]
    if not refs:
        return []
    shown = [ref for ref in refs if photo_shown(config, channel, ref)]
    key = "alertx.photos_sent" if already_sent else "alertx.photos_follow"
    lines = [texts.t(locale, key, count=len(shown))] if shown else []
    elsewhere: dict[str, int] = {}
    kept = 0
    for ref in refs:
        if photo_shown(config, channel, ref):
            continue
        name = next((n for p, n in MESSENGER_NAMES.items() if ref.startswith(p)), None)
        if name is None:
            kept += 1
        else:
            elsewhere[name] = elsewhere.get(name, 0) + 1
    for name, count in elsewhere.items():
        lines.append(texts.t(locale, "alertx.photos_elsewhere", count=count, messenger=name))
    if kept:
        lines.append(texts.t(locale, "alertx.photos_later", count=kept))
    return lines


async def queue_media(
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
    """Each voice note and photo right after the alert (due with it), so the officer can
    play or see it in the chat.

    Queued after the alert with the same time, so the sender sends them next in that chat;
    an officer reached on a messenger that cannot show them reads what the alert says (a
    voice note's length, how many photos and where).
    """
    channel = str(contact["channel"])
    locale = str(officer["locale"])
    officer_id = int(officer["id"])
    texts = ctx.services.texts
    media: list[tuple[str, dict[str, Any]]] = []
    for key, ref in voice_answers(category, answers):
        if playable_on(channel, ref):
            label = category.field(key).label.get(locale)
            caption = texts.t(locale, "voice.alert", number=number, label=label)
            media.append(
                (voice_key(report_id, officer_id, key), Outbound.voice_payload(ref, caption))
            )
    photos = photo_answers(category, answers)
    for index, (_, ref) in enumerate(photos, 1):
        if photo_shown(ctx.services.config, channel, ref):
            caption = texts.t(
                locale, "alertx.photo_caption", n=index, total=len(photos), number=number
            )
            media.append(
                (photo_key(report_id, officer_id, index), Outbound.photo_payload(ref, caption))
            )
    for dedupe_key, payload in media:
        await outbox.enqueue(
            ctx.tx,
            dedupe_key=dedupe_key,
            channel=channel,
            chat_id=str(contact["chat_id"]),
            member_id=officer_id,
            payload=payload,
            not_before_iso=not_before_iso or ctx.now_iso,
            now_iso=ctx.now_iso,
            urgent=urgent,
        )
