"""Files on Zalo by link: the Bot API sends pictures only from a URL and has no documents.

With `[web] public_url` set, every file the bot makes for a Zalo chat is stored behind a
personal, expiring link on the bot's own web server (bot/web/links.py), made for the member
the chat belongs to: a chart or a photo then goes by sendPhoto with its URL (Zalo fetches
it), a workbook, CSV, DOCX or zip as a text naming the file with its link and until when it
opens. A photo the bot holds by reference ("file:" for Zalo photos, "tg:" for Telegram's)
gets a link to that photo. Voice notes are never sent on Zalo (its bots cannot send audio):
the message's text says what they are, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.channels import DeliveryError
from bot.channels.text import ZALO_TEXT, clip
from bot.channels.zalo.mapping import NAME
from bot.core.model import Attachment
from bot.web import links
from bot.web.auth import when
from storage import members

if TYPE_CHECKING:
    from bot.core.engine import Services

PICTURES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}


@dataclass(frozen=True)
class Piece:
    """One Zalo message: a text, or a photo by URL with `text` as its caption."""

    text: str
    photo: str = ""

    def as_text(self) -> str:
        """The piece as plain text, for a retry that can only send texts."""
        return f"{self.text}\n{self.photo}".strip() if self.photo else self.text


class NoOwner(Exception):
    """The chat belongs to no active member: a personal link has nobody to be for."""


def sent_by_link(item: Attachment) -> bool:
    """Whether Zalo can carry the file at all: every file but a voice note."""
    return item.kind != "voice"


def is_picture(item: Attachment) -> bool:
    """A chart or photo goes by sendPhoto; anything else as a link in a text."""
    return item.kind == "photo" or Path(item.filename).suffix.lower() in PICTURES


def _photo_name(ref: str) -> str:
    """The name a photo held by reference is served under (its type follows the suffix)."""
    suffix = Path(ref.removeprefix("file:")).suffix.lower() if ref.startswith("file:") else ""
    return "anh" + (suffix if suffix in PICTURES else ".jpg")


async def piece(
    services: Services, chat_id: str, item: Attachment, caption: str = "", channel: str = NAME
) -> Piece:
    """Build the file (after the update's transaction), store its link for the chat's member
    in a short transaction of its own, and say how it goes to Zalo.

    `caption` replaces the attachment's own (a photo row's text is the photo's caption).
    """
    data = b"" if item.ref else await item.render()
    config = services.config
    async with services.db.transaction() as tx:
        member = await members.by_chat(tx, channel, chat_id)
        if member is None:
            raise NoOwner()
        now = services.clock.now()
        if item.ref:
            made = await links.photo(tx, config, member.id, now, item.ref, _photo_name(item.ref))
        else:
            made = await links.file(tx, config, member.id, now, item.filename, data)
    caption = caption or item.caption
    if item.ref or is_picture(item):
        return Piece(clip(caption, ZALO_TEXT), photo=made.url)
    expires = when(made.expires, services.clock.tz)
    told = services.texts.t(
        member.locale, "zalo_files.document", name=item.filename, url=made.url, expires=expires
    )
    return Piece(clip(f"{caption}\n{told}" if caption else told, ZALO_TEXT))


async def pieces_of(
    services: Services, chat_id: str, items: list[Attachment], channel: str = NAME
) -> list[Piece]:
    """The links of an outbox message's files, every one made before anything is sent (a
    file that cannot be built fails the message, to be tried again, not half of it)."""
    found = []
    for item in items:
        try:
            found.append(await piece(services, chat_id, item, channel=channel))
        except NoOwner:
            raise DeliveryError("no member for this chat", transient=False) from None
        except DeliveryError:
            raise
        except Exception as err:  # a file that failed to build: the outbox tries again
            raise DeliveryError(f"file not built: {type(err).__name__}", transient=True) from err
    return found
