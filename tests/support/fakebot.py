"""A fake Telegram Bot API behind python-telegram-bot's own transport seam.

`FakeBotAPI` is a `telegram.request.BaseRequest`: the real Application, Bot, handlers and
(de)serialisation run unchanged; only the HTTP round trip is replaced by this recorder.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_ID = 777000
BOT_USERNAME = "antt_test_bot"


@dataclass
class Sent:
    """A message the bot sent (or its latest edited state)."""

    chat_id: int
    message_id: int
    text: str
    buttons: list[list[dict[str, str]]] = field(default_factory=list)
    file_kind: str | None = None  # "document", "photo" or "voice" (sendDocument / ...)
    file_name: str | None = None  # a voice note's or a photo sent again's file id
    file_data: bytes | None = None

    def labels(self) -> list[str]:
        return [b["text"] for row in self.buttons for b in row]


class FakeBotAPI(BaseRequest):
    """Answers Bot API calls from memory and records every message sent or edited."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.messages: dict[tuple[int, int], Sent] = {}
        self.sent: list[Sent] = []
        self.updates: deque[dict[str, Any]] = deque()
        self._ids = itertools.count(1000)
        self.fail_next: dict[str, tuple[int, dict[str, Any]]] = {}
        self.blocked: set[int] = set()  # chats whose user blocked the bot: sends answer 403
        self.refused: list[tuple[str, str]] = []  # calls Telegram would refuse with 400
        self.flood = 0  # the next N sends answer 429 with retry_after (a bot-wide flood wait)
        self.flood_skip = 0  # ... after letting this many sends through
        self.flood_retry_after = 5
        self.flooded: list[str] = []
        self.hold: asyncio.Event | None = None  # while set and not yet released, sends wait

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        if request_data is not None and request_data.multipart_data:
            params["_files"] = {
                name: (entry[0], entry[1]) for name, entry in request_data.multipart_data.items()
            }
        self.calls.append((api_method, params))
        if self.hold is not None and api_method in _SENDS:
            await self.hold.wait()
        if api_method in self.fail_next:
            status, body = self.fail_next.pop(api_method)
            return status, json.dumps(body).encode()
        if api_method in _SENDS and self.flood > 0 and self.flood_skip > 0:
            self.flood_skip -= 1
        elif api_method in _SENDS and self.flood > 0:
            self.flood -= 1
            self.flooded.append(api_method)
            body = {
                "ok": False,
                "error_code": 429,
                "description": f"Too Many Requests: retry after {self.flood_retry_after}",
                "parameters": {"retry_after": self.flood_retry_after},
            }
            return 429, json.dumps(body).encode()
        if api_method in _SENDS and int(params.get("chat_id", 0)) in self.blocked:
            return 403, json.dumps(_BLOCKED).encode()
        refused = _telegram_refuses(params)
        if refused:
            self.refused.append((api_method, refused))
            body = {"ok": False, "error_code": 400, "description": f"Bad Request: {refused}"}
            return 400, json.dumps(body).encode()
        result = await self._answer(api_method, params)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    async def _answer(self, api_method: str, p: dict[str, Any]) -> Any:
        if api_method == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "ANTT",
                "username": BOT_USERNAME,
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if api_method == "getUpdates":
            if not self.updates:
                await asyncio.sleep(0.01)
                return []
            batch = []
            while self.updates and len(batch) < 100:
                batch.append(self.updates.popleft())
            return batch
        if api_method == "sendMessage":
            chat_id = int(p["chat_id"])
            sent = Sent(chat_id, next(self._ids), str(p["text"]), _buttons(p))
            self.messages[(chat_id, sent.message_id)] = sent
            self.sent.append(sent)
            return _message_json(sent)
        if api_method in {"sendDocument", "sendPhoto"}:
            chat_id = int(p["chat_id"])
            kind = "document" if api_method == "sendDocument" else "photo"
            if "_files" in p:
                name, data = p["_files"][kind]
            else:  # a photo sent again by the file id Telegram holds
                name, data = str(p[kind]), b""
            sent = Sent(chat_id, next(self._ids), str(p.get("caption") or ""), [], kind, name, data)
            self.messages[(chat_id, sent.message_id)] = sent
            self.sent.append(sent)
            message = _message_json(sent)
            if kind == "document":
                message["document"] = {"file_id": f"doc{sent.message_id}", "file_unique_id": "u"}
            else:
                message["photo"] = [
                    {
                        "file_id": f"ph{sent.message_id}",
                        "file_unique_id": "u",
                        "width": 1,
                        "height": 1,
                    }
                ]
            return message
        if api_method == "sendVoice":  # by file id: a voice note Telegram already holds
            chat_id = int(p["chat_id"])
            caption = str(p.get("caption") or "")
            sent = Sent(chat_id, next(self._ids), caption, [], "voice", str(p["voice"]))
            self.messages[(chat_id, sent.message_id)] = sent
            self.sent.append(sent)
            message = _message_json(sent)
            message["voice"] = {"file_id": str(p["voice"]), "file_unique_id": "v", "duration": 1}
            return message
        if api_method in {"editMessageText", "editMessageReplyMarkup"}:
            key = (int(p["chat_id"]), int(p["message_id"]))
            old = self.messages.get(key)
            if old is None:
                return True
            if "text" in p and str(p["text"]) != old.text and _buttons(p):
                # The bot turned the pressed question into the next one (one message per
                # step): for what the user reads next it counts as a message of its own.
                self.sent.append(old)
            if "text" in p:
                old.text = str(p["text"])
            old.buttons = _buttons(p)
            return _message_json(old)
        if api_method in {"answerCallbackQuery", "setMyCommands", "deleteWebhook", "setWebhook"}:
            return True
        raise AssertionError(f"unexpected Bot API call {api_method}")

    def chat(self, chat_id: int) -> list[Sent]:
        """Messages of one chat in the order they were sent."""
        return [m for m in self.sent if m.chat_id == chat_id]


_SENDS = {"sendMessage", "sendDocument", "sendPhoto", "sendVoice", "editMessageText"}


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _telegram_refuses(p: dict[str, Any]) -> str:
    """Telegram's own size checks (what it answers 400 to), so tests see what users would."""
    if "text" in p:
        text = str(p["text"])
        if not text.strip():
            return "message text is empty"
        if _utf16(text) > 4096:
            return "message is too long"
    if _utf16(str(p.get("caption") or "")) > 1024:
        return "message caption is too long"
    for row in _buttons(p):
        for button in row:
            if len(str(button.get("callback_data", "")).encode()) > 64:
                return "BUTTON_DATA_INVALID"
    return ""


_BLOCKED = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}


def _buttons(p: dict[str, Any]) -> list[list[dict[str, str]]]:
    markup = p.get("reply_markup")
    if not markup:
        return []
    if isinstance(markup, str):
        markup = json.loads(markup)
    return [list(row) for row in markup.get("inline_keyboard", [])]


def _message_json(sent: Sent) -> dict[str, Any]:
    data: dict[str, Any] = {
        "message_id": sent.message_id,
        "date": 1_700_000_000,
        "chat": {"id": sent.chat_id, "type": "private"},
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "ANTT"},
        "text": sent.text,
    }
    if sent.buttons:
        data["reply_markup"] = {"inline_keyboard": sent.buttons}
    return data


_update_ids = itertools.count(1)


def next_update_id() -> int:
    """Globally increasing update ids, like Telegram's."""
    return next(_update_ids)


def text_update(
    user_id: int,
    text: str,
    first: str = "Nguyễn",
    last: str = "Văn An",
    update_id: int | None = None,
) -> dict[str, Any]:
    """The JSON of a private text message (commands carry a bot_command entity)."""
    message: dict[str, Any] = {
        "message_id": next(_update_ids) + 10_000_000,
        "date": 1_700_000_000,
        "chat": {"id": user_id, "type": "private", "first_name": first},
        "from": {"id": user_id, "is_bot": False, "first_name": first, "last_name": last},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id or next_update_id(), "message": message}


def callback_update(
    user_id: int, pressed: Sent, data: str, first: str = "Nguyễn"
) -> dict[str, Any]:
    """The JSON of a button press on one of the bot's messages."""
    return {
        "update_id": next_update_id(),
        "callback_query": {
            "id": str(next(_update_ids)),
            "chat_instance": "ci",
            "from": {"id": user_id, "is_bot": False, "first_name": first},
            "data": data,
            "message": _message_json(pressed),
        },
    }


def media_update(
    user_id: int,
    *,
    photo: str | None = None,
    location: tuple[float, float] | None = None,
    voice: tuple[str, int] | None = None,
) -> dict[str, Any]:
    """The JSON of a photo, a location pin or a voice note (file id, seconds)."""
    message: dict[str, Any] = {
        "message_id": next(_update_ids) + 10_000_000,
        "date": 1_700_000_000,
        "chat": {"id": user_id, "type": "private"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Nguyễn"},
    }
    if photo:
        message["photo"] = [
            {"file_id": photo + "-small", "file_unique_id": photo + "s", "width": 90, "height": 90},
            {"file_id": photo, "file_unique_id": photo + "l", "width": 800, "height": 600},
        ]
    if location:
        message["location"] = {"latitude": location[0], "longitude": location[1]}
    if voice:
        message["voice"] = {
            "file_id": voice[0],
            "file_unique_id": voice[0] + "u",
            "duration": voice[1],
            "mime_type": "audio/ogg",
        }
    return {"update_id": next_update_id(), "message": message}
