"""Which photos a messenger can show: Telegram its own file ids and, uploaded, the photos the
bot stored from Zalo; Zalo any photo the bot can get, by a link, once `[web] public_url` is
set (a Telegram one only with a Telegram token)."""

from __future__ import annotations

from pydantic import SecretStr

from bot.channels.zalo.files import Piece, is_picture
from bot.core.config import Config
from bot.core.model import Attachment
from bot.reports.alert_media import photo_shown

ON = {"web": {"public_url": "https://antt.example"}}


def test_without_links_zalo_shows_no_photo_and_telegram_its_own_and_stored_ones() -> None:
    config = Config()
    assert photo_shown(config, "telegram", "tg:abc")
    assert photo_shown(config, "telegram", "file:/m/a.jpg")  # uploaded
    assert not photo_shown(config, "zalo", "file:/m/a.jpg")
    assert not photo_shown(config, "zalo", "tg:abc")
    assert not photo_shown(None, "zalo", "file:/m/a.jpg")


def test_with_links_zalo_shows_stored_photos_and_telegram_ones_it_can_fetch() -> None:
    config = Config.model_validate(ON)
    assert photo_shown(config, "zalo", "file:/m/a.jpg")
    assert not photo_shown(config, "zalo", "tg:abc")  # no Telegram token: cannot fetch it
    config.telegram.token = SecretStr("123:abc")
    assert photo_shown(config, "zalo", "tg:abc")
    assert not photo_shown(config, "console", "file:/m/a.jpg")
    assert photo_shown(config, "telegram", "file:/m/a.jpg")  # uploaded, links or not


async def _none() -> bytes:
    return b""


def test_charts_and_photos_go_by_sendphoto_and_documents_as_links() -> None:
    assert is_picture(Attachment("c.png", "photo", _none))
    assert is_picture(Attachment("c.PNG", "document", _none))
    assert not is_picture(Attachment("t.xlsx", "document", _none))
    assert not is_picture(Attachment("t.csv", "document", _none))
    assert Piece("Ảnh 1/1", photo="https://x/tep/a").as_text() == "Ảnh 1/1\nhttps://x/tep/a"
    assert Piece("", photo="https://x/tep/a").as_text() == "https://x/tep/a"
