"""A fake Telegram Bot API over HTTP for bot processes, recording every send with its time.

Unlike tests/support/fakebot.py (a transport inside the test's own process), this is a real
aiohttp server on loopback, so several `antt-bot run` processes can share one bot token
against it. Every call that sends or changes a message in a chat is recorded with the
token, the chat, the text and the moment it arrived (the test's monotonic clock), so a test
can check a token's rate from outside the bot.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

CHAT_METHODS = {
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "sendDocument",
    "sendPhoto",
    "sendVoice",
}


@dataclass(frozen=True)
class Call:
    """One call that sent or changed a message."""

    token: str
    method: str
    chat_id: int
    text: str
    at: float  # time.monotonic() when it arrived
    buttons: list[list[dict[str, str]]] = field(default_factory=list)
    message_id: int = 0


class FakeBotApi:
    """Answers the Bot API calls a bot makes; `calls` holds every chat call in order."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.webhooks: dict[str, str] = {}  # token -> the URL set with setWebhook
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> FakeBotApi:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._call)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def chat(self, chat_id: int) -> list[Call]:
        return [c for c in self.calls if c.chat_id == chat_id]

    async def _call(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        params = await _params(request)
        if method in CHAT_METHODS and "chat_id" in params:
            return self._chat_call(token, method, params)
        if method == "getMe":
            bot_id = int(token.split(":")[0])
            me = {"id": bot_id, "is_bot": True, "first_name": "ANTT", "username": "antt_bot"}
            return _ok(me)
        if method == "setWebhook":
            self.webhooks[token] = str(params.get("url", ""))
        if method == "getUpdates":
            return _ok([])
        return _ok(True)  # setMyCommands, setWebhook, deleteWebhook, answerCallbackQuery...

    def _chat_call(self, token: str, method: str, params: dict[str, Any]) -> web.Response:
        chat_id = int(params["chat_id"])
        text = str(params.get("text") or params.get("caption") or "")
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        buttons = (markup or {}).get("inline_keyboard", []) if isinstance(markup, dict) else []
        message_id = int(params.get("message_id") or next(self._ids))
        self.calls.append(Call(token, method, chat_id, text, time.monotonic(), buttons, message_id))
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "text": text,
        }
        if buttons:
            message["reply_markup"] = {"inline_keyboard": buttons}
        return _ok(message)


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        body = await request.json()
        return dict(body) if isinstance(body, dict) else {}
    form = await request.post()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def most_in_a_second(moments: list[float]) -> int:
    """The most calls in any window of one second (sliding), from their arrival times."""
    return most_within(moments, 1.0)


def most_within(moments: list[float], window: float) -> int:
    """The most calls in any sliding window of `window` seconds, from their arrival times."""
    ordered = sorted(moments)
    most, start = 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most
