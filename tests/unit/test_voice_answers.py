"""Voice answers outside the dialog: the Telegram mapping, outbox voice rows, exports."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from bot.channels.telegram_messages import _voice, to_inbound
from bot.core.i18n import Texts
from bot.core.model import Outbound, Voice
from bot.reports.forms import load_forms
from bot.tally.labels import Labels

TEXTS = Texts.load()
FORMS = load_forms()
VOICE = {"voice": "tg:VOICE-1", "seconds": 12}


def test_a_telegram_voice_note_becomes_an_inbound_voice() -> None:
    raw = {
        "update_id": 5,
        "message": {
            "message_id": 9,
            "date": 1_700_000_000,
            "chat": {"id": 42, "type": "private"},
            "from": {"id": 42, "is_bot": False, "first_name": "An"},
            "voice": {"file_id": "VOICE-1", "file_unique_id": "u", "duration": 12},
        },
    }
    inbound = to_inbound(Update.de_json(raw, None))
    assert inbound is not None
    assert inbound.voice == Voice("tg:VOICE-1", 12) and not inbound.text


def test_a_voice_length_is_read_as_seconds_or_as_a_timedelta() -> None:
    assert _voice("x", 7) == Voice("tg:x", 7)
    assert _voice("x", timedelta(seconds=61)) == Voice("tg:x", 61)
    assert _voice("x", None) == Voice("tg:x", 0)


def test_an_outbox_voice_row_comes_back_as_the_voice_with_its_caption() -> None:
    message = Outbound.from_payload(Outbound.voice_payload("tg:VOICE-1", "🎤 BC-1 · Nội dung"))
    assert message.text == "🎤 BC-1 · Nội dung" and message.choices == []
    [item] = message.attachments
    assert item.kind == "voice" and item.ref == "tg:VOICE-1"
    assert "voice" not in Outbound("text").to_payload()  # a reply's files never ride along


def test_exports_show_a_marker_for_a_voice_answer() -> None:
    data = {"source": "residents", "what": VOICE}
    assert Labels(TEXTS, FORMS, "vi", 60).details("tip", data) == (
        "Nguồn tin: Người dân báo; Nội dung: [tin nhắn thoại 12 giây]"
    )
    assert "What happened: [voice message 12 s]" in Labels(TEXTS, FORMS, "en", 60).details(
        "tip", data
    )
