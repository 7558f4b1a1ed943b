"""Telegram's messages and the channel-neutral model: updates in, texts, keyboards, voice
notes and photos by file id out (the Bot API calls a reply or an outbox row is made of)."""

from __future__ import annotations

import dataclasses
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot.channels.text import TELEGRAM_CAPTION, TELEGRAM_TEXT, clip, split_text, utf16_units
from bot.core.bots import tg_parts, tg_ref
from bot.core.model import Attachment, Choice, Inbound, Location, Outbound, Voice

NAME = "telegram"


class PlainKeyboard(InlineKeyboardMarkup):
    """An inline keyboard that goes out as the JSON it was built as.

    python-telegram-bot would build one frozen object per button and walk them all again to
    serialise them: about a millisecond for a team-mate question of 50 names, on every send
    and edit. The Bot API receives exactly the same JSON. Its `inline_keyboard` is empty:
    nothing in the bot reads a keyboard back, only its JSON form is sent; two compare equal
    when their choices are.
    """

    __slots__ = ("_plain",)

    def __init__(self, rows: list[list[Choice]]) -> None:
        super().__init__(())
        with self._unfrozen():
            self._plain = [
                [{"text": c.label, "callback_data": c.value} for c in row] for row in rows
            ]
            self._id_attrs = (tuple(tuple(row) for row in rows),)

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        """The keyboard as the Bot API takes it (a fresh outer dict, the rows shared)."""
        return {"inline_keyboard": self._plain}


def keyboard(message: Outbound) -> InlineKeyboardMarkup | None:
    """Inline buttons, one row per choice row."""
    if not message.choices:
        return None
    return PlainKeyboard(message.choices)


class Unsent(Exception):
    """Telegram refused a message, possibly after its first parts went: `remaining` is the
    part of it that did not go (the whole message when `sent_parts` is 0)."""

    def __init__(self, error: TelegramError, remaining: Outbound, sent_parts: int) -> None:
        super().__init__(type(error).__name__)
        self.error = error
        self.remaining = remaining
        self.sent_parts = sent_parts


async def send_text(bot: Bot, chat_id: int, message: Outbound) -> Message:
    """Send a message's text, split under Telegram's 4,096-character limit (buttons go
    under the last part); returns the last part, which later edits refer to. Raises
    Unsent with what is left when Telegram refuses a part."""
    parts = split_text(message.text, TELEGRAM_TEXT, utf16_units)
    sent: Message | None = None
    for index, part in enumerate(parts):
        markup = keyboard(message) if index == len(parts) - 1 else None
        try:
            sent = await bot.send_message(chat_id=chat_id, text=part, reply_markup=markup)
        except TelegramError as err:
            rest = dataclasses.replace(message, text="\n".join(parts[index:]), attachments=[])
            raise Unsent(err, rest, index) from err
    assert sent is not None  # split_text never returns an empty list
    return sent


def to_inbound(update: Update, channel: str = NAME) -> Inbound | None:
    """Map a Telegram update to the channel-neutral model; None for what we do not handle.
    `channel` names the bot it came to (one of several: "telegram:<name>")."""
    key = str(update.update_id)
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        return None  # reports are personal: the bot never works inside group chats
    query = update.callback_query
    if query is not None:
        msg = query.message
        if msg is None or query.data is None:
            return None
        return Inbound(
            channel=channel,
            chat_id=str(msg.chat.id),
            user_id=str(query.from_user.id),
            update_key=key,
            button=query.data,
            display_name=query.from_user.full_name,
            button_message_id=str(msg.message_id),
        )
    message = update.message
    if message is None or message.from_user is None:
        return None
    common: dict[str, Any] = {
        "channel": channel,
        "chat_id": str(message.chat.id),
        "user_id": str(message.from_user.id),
        "update_key": key,
        "display_name": message.from_user.full_name,
    }
    if message.text is not None:
        return Inbound(text=message.text, **common)
    if message.photo:
        photo = tg_ref(channel, message.photo[-1].file_id)
        return Inbound(photo=photo, text=message.caption, **common)
    if message.location is not None:
        loc = message.location
        return Inbound(location=Location(loc.latitude, loc.longitude), **common)
    if message.voice is not None:
        voice = _voice(message.voice.file_id, message.voice.duration, channel)
        return Inbound(voice=voice, **common)
    return Inbound(text="", **common)


def _voice(file_id: str, duration: object, channel: str = NAME) -> Voice:
    """A voice note by file id (of the bot `channel` names); PTB gives its length as
    seconds or as a timedelta."""
    total = getattr(duration, "total_seconds", None)
    seconds = total() if callable(total) else duration
    return Voice(tg_ref(channel, file_id), int(seconds) if isinstance(seconds, int | float) else 0)


async def send_voice(bot: Bot, chat_id: int, item: Attachment, caption: str) -> Message:
    """Send a voice note again by its file id (Telegram keeps it), so it plays in the chat."""
    file_id = tg_parts(item.ref)[0]
    text = clip(caption, TELEGRAM_CAPTION, utf16_units) or None
    return await bot.send_voice(chat_id, voice=file_id, caption=text)


async def send_photo_ref(bot: Bot, chat_id: int, item: Attachment, caption: str) -> Message:
    """Send a photo again by its file id (Telegram keeps it): a reporter's photo shown to
    the officer an alert went to."""
    file_id = tg_parts(item.ref)[0]
    text = clip(caption, TELEGRAM_CAPTION, utf16_units) or None
    return await bot.send_photo(chat_id, photo=file_id, caption=text)
