"""The photos a phase report embeds: stored ones only from the media directory, Telegram's
through the bot, and no long wait when Telegram cannot be reached."""

from __future__ import annotations

from pathlib import Path

from bot.core.config import Config
from bot.phasereport import photos


def config(tmp_path: Path) -> Config:
    return Config.model_validate({"zalo": {"media_dir": str(tmp_path / "media")}})


async def test_a_stored_photo_is_read_only_from_the_media_directory(tmp_path: Path) -> None:
    (tmp_path / "media" / "zalo").mkdir(parents=True)
    inside = tmp_path / "media" / "zalo" / "a.jpg"
    inside.write_bytes(b"inside")
    outside = tmp_path / "secret.txt"
    outside.write_bytes(b"not a photo")
    refs = ["file:" + str(inside), "file:" + str(outside), "file:" + str(tmp_path / "gone.jpg"),
            "file:" + str(tmp_path / "media" / ".." / "secret.txt")]  # fmt: skip
    found = await photos.load(refs, config(tmp_path), None)
    assert found == {"file:" + str(inside): b"inside"}


async def test_telegram_photos_come_through_the_fetcher(tmp_path: Path) -> None:
    asked: list[str] = []

    async def fetch(file_id: str) -> bytes | None:
        asked.append(file_id)
        return b"photo-" + file_id.encode()

    found = await photos.load(["tg:A", "tg:B", "tg:A"], config(tmp_path), fetch)
    assert found == {"tg:A": b"photo-A", "tg:B": b"photo-B"}
    assert asked == ["A", "B"]  # each fetched once


async def test_after_two_failures_in_a_row_telegram_is_not_asked_again(tmp_path: Path) -> None:
    asked: list[str] = []

    async def unreachable(file_id: str) -> bytes | None:
        asked.append(file_id)
        return None

    refs = [f"tg:{i}" for i in range(10)]
    assert await photos.load(refs, config(tmp_path), unreachable) == {}
    assert asked == ["0", "1"]


async def test_at_most_max_photos_are_embedded(tmp_path: Path) -> None:
    async def fetch(file_id: str) -> bytes | None:
        return b"x"

    refs = [f"tg:{i}" for i in range(photos.MAX_PHOTOS + 5)]
    assert len(await photos.load(refs, config(tmp_path), fetch)) == photos.MAX_PHOTOS


def test_without_a_token_there_is_no_telegram_fetcher(tmp_path: Path) -> None:
    assert photos.telegram_fetcher(config(tmp_path)) is None
