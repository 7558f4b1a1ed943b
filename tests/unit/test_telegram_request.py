"""Keyboards sent as plain JSON and dropped from Telegram's answers: the JSON sent is what
python-telegram-bot's own objects give, and nothing but the keyboards leaves an answer."""

from __future__ import annotations

import json

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.telegram_messages import keyboard
from bot.channels.telegram_request import LeanRequest, drop_keyboards, drop_pressed_keyboard
from bot.core.model import Choice, Outbound

MARKUP = {"inline_keyboard": [[{"text": "Có", "callback_data": "y:1"}]]}


def test_plain_keyboard_sends_what_ptb_objects_would() -> None:
    rows = [[Choice("Có", "y:1"), Choice("Không", "y:0")], [Choice("« Quay lại", "")]]
    ptb = InlineKeyboardMarkup(
        [[InlineKeyboardButton(c.label, callback_data=c.value) for c in row] for row in rows]
    )
    plain = keyboard(Outbound("Hỏi?", rows))
    assert plain is not None
    assert plain.to_dict() == ptb.to_dict()
    assert keyboard(Outbound("Không có nút")) is None
    assert plain == keyboard(Outbound("Hỏi lại?", rows))
    assert plain != keyboard(Outbound("Hỏi?", [[Choice("Có", "y:1")]]))


def test_a_sent_message_comes_back_without_its_keyboard() -> None:
    sent = {"message_id": 7, "chat": {"id": 1, "type": "private"}, "text": "Hỏi?"}
    payload = {"ok": True, "result": {**sent, "reply_markup": MARKUP}}
    assert drop_keyboards(payload) == {"ok": True, "result": sent}
    assert drop_keyboards({"ok": True, "result": True}) == {"ok": True, "result": True}


def test_a_press_comes_without_the_pressed_keyboard_and_nothing_else_changes() -> None:
    message = {"message_id": 7, "chat": {"id": 1, "type": "private"}, "text": "Hỏi?"}
    press = {
        "update_id": 5,
        "callback_query": {"id": "q", "data": "y:1", "message": {**message, "reply_markup": {}}},
    }
    typed = {"update_id": 6, "message": {**message, "text": "chữ"}}
    payload = {"ok": True, "result": [press, typed, "odd"]}
    drop_keyboards(payload)
    assert payload["result"] == [
        {"update_id": 5, "callback_query": {"id": "q", "data": "y:1", "message": message}},
        typed,
        "odd",
    ]
    drop_pressed_keyboard("not an update")  # ignored, as malformed updates are elsewhere


def test_the_transport_parses_answers_without_keyboards() -> None:
    body = {"ok": True, "result": {"message_id": 1, "text": "x", "reply_markup": MARKUP}}
    parsed = LeanRequest.parse_json_payload(json.dumps(body).encode())
    assert parsed == {"ok": True, "result": {"message_id": 1, "text": "x"}}
