"""The photos of a phase report's good deeds, as bytes where the bot can get them.

A photo sent on Zalo is stored here (`[zalo] media_dir`, "file:<path>"); one sent on Telegram
stays on Telegram ("tg:<file_id>") and is fetched through the Bot API (getFile) when a token
is configured. What cannot be fetched is named in the report instead ("ảnh trên Telegram").
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from bot.core.config import Config

log = logging.getLogger(__name__)

MAX_PHOTOS = 60  # embedded in one report; the rest are named
MAX_BYTES = 10 * 1024 * 1024  # per photo
FETCH_SECONDS = 20.0
TELEGRAM_TRIES = 2  # failures in a row after which the other Telegram photos are named

Fetch = Callable[[str], Awaitable[bytes | None]]


def _local(ref: str, media_dir: Path) -> bytes | None:
    """A stored photo's bytes, only from under the media directory (a reference pointing
    elsewhere is not read)."""
    path = Path(ref.removeprefix("file:")).resolve()
    if not path.is_relative_to(media_dir) or not path.is_file():
        return None
    if path.stat().st_size > MAX_BYTES:
        return None
    return path.read_bytes()


def telegram_fetcher(config: Config) -> Fetch | None:
    """Fetch a Telegram photo by its file id through the Bot API of the bot that received
    it ("<file_id>@<bot name>" for a listed bot); None without any token."""
    tokens = {"": config.telegram_token or ""}
    tokens |= {b.name: b.token.get_secret_value() for b in config.telegram.bots if b.token}
    if not any(tokens.values()):
        return None
    base = str(config.telegram.base_url).rstrip("/")

    async def fetch(held: str) -> bytes | None:
        """getFile, then download; None on any failure (the report names the photo)."""
        from telegram import Bot
        from telegram.error import TelegramError

        file_id, _, name = held.partition("@")
        token = tokens.get(name)
        if not token:
            return None
        bot = Bot(token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot")
        try:
            async with asyncio.timeout(FETCH_SECONDS):
                file = await bot.get_file(file_id)
                if file.file_size and file.file_size > MAX_BYTES:
                    return None
                return bytes(await file.download_as_bytearray())
        except (TelegramError, TimeoutError, OSError) as err:
            log.warning("telegram photo not fetched", extra={"error": type(err).__name__})
            return None

    return fetch


async def load(refs: Iterable[str], config: Config, telegram: Fetch | None) -> dict[str, bytes]:
    """The bytes of as many photos as can be had (at most MAX_PHOTOS), by reference."""
    media_dir = Path(config.zalo.media_dir).resolve()
    found: dict[str, bytes] = {}
    failures = 0
    for ref in refs:
        if len(found) >= MAX_PHOTOS or ref in found:
            continue
        data: bytes | None = None
        if ref.startswith("file:"):
            data = await asyncio.to_thread(_local, ref, media_dir)
        elif ref.startswith("tg:") and telegram is not None:
            data = await telegram(ref.removeprefix("tg:"))
            failures = 0 if data else failures + 1
            if failures >= TELEGRAM_TRIES:  # Telegram unreachable: name the rest, do not wait
                telegram = None
        if data:
            found[ref] = data
    return found


async def one(ref: str, config: Config, telegram: Fetch | None) -> bytes | None:
    """One photo's bytes by reference (a web link or page shows it), None when it cannot be
    had: a stored Zalo photo from under the media directory, a Telegram one through getFile."""
    if ref.startswith("file:"):
        return await asyncio.to_thread(_local, ref, Path(config.zalo.media_dir).resolve())
    if ref.startswith("tg:") and telegram is not None:
        return await telegram(ref.removeprefix("tg:"))
    return None
