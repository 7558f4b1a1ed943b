"""Pure parts of the Zalo channel: the update model, Inbound mapping, text splitting, secrets.

Zalo sends one update per getUpdates call (or per webhook POST) shaped like
`{"event_name": "message.text.received", "message": {"message_id", "from": {"id"},
"chat": {"id", "chat_type"}, "date" (ms), "text" | "photo_url" + "caption" | "sticker"}}`,
either bare or inside the usual `{"ok": true, "result": ...}` envelope. Ids are strings.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.channels.text import ZALO_TEXT
from bot.channels.text import split_text as fit_text
from bot.core.model import Inbound

NAME = "zalo"
TEXT_LIMIT = ZALO_TEXT  # sendMessage refuses longer texts
SECRET_HEADER = "X-Bot-Api-Secret-Token"

TEXT = "message.text.received"
IMAGE = "message.image.received"
STICKER = "message.sticker.received"
UNSUPPORTED = "message.unsupported.received"


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, populate_by_name=True)


class ZaloUser(_Model):
    id: str
    display_name: str | None = None
    name: str | None = None
    first_name: str | None = None
    is_bot: bool = False

    @property
    def shown_name(self) -> str | None:
        """The name the person uses on Zalo (offered as their full name when joining)."""
        return self.display_name or self.name or self.first_name


class ZaloChat(_Model):
    id: str
    chat_type: str = "PRIVATE"


class ZaloMessage(_Model):
    message_id: str
    sender: ZaloUser = Field(alias="from")
    chat: ZaloChat
    date: int | None = None  # milliseconds since the epoch
    text: str | None = None
    photo_url: str | None = None
    photo: str | None = None  # older name of photo_url
    caption: str | None = None
    sticker: str | None = None

    @property
    def picture(self) -> str | None:
        """Where to download an incoming photo from."""
        return self.photo_url or self.photo


class ZaloUpdate(_Model):
    event_name: str
    message: ZaloMessage | None = None

    @property
    def key(self) -> str:
        """The dedupe key: Zalo has no update offset, so the message id identifies a delivery."""
        if self.message is not None:
            return self.message.message_id
        raw = json.dumps(self.model_dump(by_alias=True), sort_keys=True, ensure_ascii=False)
        return "h:" + hashlib.sha256(raw.encode()).hexdigest()[:32]

    @property
    def private(self) -> bool:
        """Reports are personal: like on Telegram, the bot answers only one-to-one chats."""
        return self.message is not None and self.message.chat.chat_type.upper() == "PRIVATE"


def parse_update(body: Any) -> ZaloUpdate | None:
    """Read one update from a getUpdates result or a webhook body; None when unusable."""
    if isinstance(body, dict) and "event_name" not in body and isinstance(body.get("result"), dict):
        body = body["result"]
    if not isinstance(body, dict):
        return None
    try:
        return ZaloUpdate.model_validate(body)
    except ValidationError:
        return None


def to_inbound(
    update: ZaloUpdate, photo_ref: str | None = None, channel: str = NAME
) -> Inbound | None:
    """Map a text or photo message to the channel-neutral model; None for anything else.
    `channel` names the bot it came to (one of several: "zalo:<name>")."""
    message = update.message
    if message is None or not update.private or message.sender.is_bot:
        return None
    common: dict[str, Any] = {
        "channel": channel,
        "chat_id": message.chat.id,
        "user_id": message.sender.id,
        "update_key": update.key,
        "display_name": message.sender.shown_name,
    }
    if update.event_name == TEXT and message.text is not None:
        return Inbound(text=message.text, **common)
    if update.event_name == IMAGE and photo_ref is not None:
        return Inbound(photo=photo_ref, text=message.caption, **common)
    return None


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut a long text into Zalo messages of at most 2,000 characters, between lines."""
    return fit_text(text, limit)


def media_stem(message_id: str) -> str:
    """A safe, stable file name for a message's photo: a redelivery finds the same file."""
    return hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:32]
