"""Two fake Bot APIs for the outbox benchmark: one in-process and fast, one on loopback with caps.

- `FastBotRequest` is a `telegram.request.BaseRequest`: python-telegram-bot's Bot and its
  (de)serialisation run unchanged, only the HTTP round trip is replaced by a dictionary
  lookup. It keeps no history but the texts sent, so it costs a few microseconds per call and
  the capacity figure is the bot's own.
- `CappedBotAPI` is an aiohttp server on 127.0.0.1 that a real bot process talks to over HTTP.
  It enforces Telegram's documented caps on sendMessage and answers a breach the way Telegram
  does (HTTP 429, `retry_after`): more than `overall` accepted messages in any sliding
  `window` seconds, or a message to a chat less than `per_chat_gap` seconds after the last
  one *accepted* in that chat. A refused message is counted, not recorded as delivered.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from telegram.request import BaseRequest, RequestData

BOT_ID = 777001
BOT_USER: dict[str, Any] = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "ANTT bench",
    "username": "antt_bench_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
TOO_MANY = {
    "ok": False,
    "error_code": 429,
    "description": "Too Many Requests: retry after 1",
    "parameters": {"retry_after": 1},
}


def message_json(message_id: int, chat_id: int, text: str) -> dict[str, Any]:
    """The smallest valid Message a sendMessage answer carries."""
    return {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "ANTT bench"},
        "text": text,
    }


class FastBotRequest(BaseRequest):
    """Answers getMe, sendMessage and the start-up calls from memory; keeps the texts sent."""

    def __init__(self) -> None:
        """Start with no message sent."""
        self.texts: list[str] = []
        self._ids = itertools.count(1)

    @property
    def read_timeout(self) -> float | None:
        """Long polling adds its timeout to this one."""
        return 1.0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

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
        """One Bot API call answered at once (getUpdates waits briefly and finds nothing)."""
        api_method = url.rsplit("/", 1)[-1]
        result: Any = True
        if api_method == "sendMessage":
            assert request_data is not None
            params = request_data.parameters
            text = str(params["text"])
            self.texts.append(text)
            result = message_json(next(self._ids), int(str(params["chat_id"])), text)
        elif api_method == "getMe":
            result = BOT_USER
        elif api_method == "getUpdates":
            await asyncio.sleep(0.05)
            result = []
        elif api_method not in {"setMyCommands", "deleteWebhook"}:
            raise AssertionError(f"unexpected Bot API call {api_method}")
        return 200, json.dumps({"ok": True, "result": result}).encode()


@dataclass
class Accepted:
    """One message the fake accepted: when (time.monotonic, and time.time to compare with the
    bot's log), where, its text, and when the answer was written to the socket (None: the bot
    was gone before it could be)."""

    at: float
    chat_id: int
    text: str
    wall: float = 0.0
    answered: float | None = None  # time.monotonic once the answer was written
    answered_wall: float | None = None


class CappedBotAPI:
    """A loopback Bot API that refuses, with 429, what Telegram's caps would refuse."""

    def __init__(
        self,
        token: str,
        *,
        overall: int = 30,
        window: float = 1.0,
        per_chat_gap: float = 1.0,
    ) -> None:
        """Caps default to Telegram's: 30 messages per second overall, one per second per chat."""
        self.token = token
        self.overall = overall
        self.window = window
        self.per_chat_gap = per_chat_gap
        self.accepted: list[Accepted] = []
        self.too_many = 0  # 429s answered
        self.too_many_overall = 0
        self.too_many_chat = 0
        self.refused: list[str] = []  # texts of the messages refused with 429
        self.calls: dict[str, int] = {}
        self.unknown: dict[str, int] = {}
        self.cut_off = 0  # requests whose body never fully arrived (the sender was killed)
        self.updates: list[dict[str, Any]] = []  # served until getUpdates confirms them
        self._new_update = asyncio.Event()
        self.port = 0
        self._recent: deque[float] = deque()  # accept times inside the sliding window
        self._last_in_chat: dict[int, float] = {}
        self._ids = itertools.count(1)
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """What [telegram] base_url should say (the bot appends /bot<token>/<method>)."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> CappedBotAPI:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._api)
        app.router.add_get("/bot{token}/{method}", self._api)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def close(self) -> None:
        """End long polls at once and stop listening."""
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _api(self, request: web.Request) -> web.Response:
        """Route one call; the token must be the one the bot was given."""
        if request.match_info["token"] != self.token:
            return _json({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        method = request.match_info["method"]
        self.calls[method] = self.calls.get(method, 0) + 1
        try:
            params = await _params(request)
        except ConnectionResetError:  # the bot was killed while sending: nobody will read this
            self.cut_off += 1
            return _json({"ok": False, "error_code": 400, "description": "cut off"}, 400)
        if method == "sendMessage":
            return await self._send_message(request, params)
        if method == "editMessageText":
            message = message_json(int(params["message_id"]), int(params["chat_id"]), "")
            message["text"] = str(params["text"])
            return _json({"ok": True, "result": message})
        if method == "getUpdates":
            return _json({"ok": True, "result": await self._get_updates(params)})
        if method == "getMe":
            return _json({"ok": True, "result": BOT_USER})
        if method in {"setMyCommands", "deleteWebhook"}:
            return _json({"ok": True, "result": True})
        self.unknown[method] = self.unknown.get(method, 0) + 1
        return _json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update (a member writing to the bot) for the next getUpdates."""
        self.updates.append(update)
        self._new_update.set()

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Forget what the offset confirms, then answer at once or when an update comes."""
        offset = int(params.get("offset") or 0)
        self.updates = [u for u in self.updates if int(u["update_id"]) >= offset]
        timeout = float(params.get("timeout") or 0)
        if not self.updates and timeout > 0:
            self._new_update.clear()
            waits = {asyncio.ensure_future(e.wait()) for e in (self._closing, self._new_update)}
            _, pending = await asyncio.wait(
                waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            for waiter in pending:
                waiter.cancel()
        return list(self.updates[:100])

    async def _send_message(self, request: web.Request, params: dict[str, Any]) -> web.Response:
        """Accept the message, or refuse it with 429 when a cap would be broken; an accepted
        message's answer is written here, so the moment it left is known."""
        now = time.monotonic()
        chat_id = int(params["chat_id"])
        recent = self._recent
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        last = self._last_in_chat.get(chat_id)
        overall = len(recent) >= self.overall
        if overall or (last is not None and now - last < self.per_chat_gap):
            self.too_many += 1
            if overall:
                self.too_many_overall += 1
            else:
                self.too_many_chat += 1
            self.refused.append(str(params["text"]))
            return _json(TOO_MANY, 429)
        recent.append(now)
        self._last_in_chat[chat_id] = now
        text = str(params["text"])
        record = Accepted(now, chat_id, text, wall=time.time())
        self.accepted.append(record)
        response = _json({"ok": True, "result": message_json(next(self._ids), chat_id, text)})
        try:
            await response.prepare(request)
            await response.write_eof()
        except ConnectionError:  # killed before the answer could leave: it never will
            return response
        record.answered, record.answered_wall = time.monotonic(), time.time()
        return response


async def _params(request: web.Request) -> dict[str, Any]:
    """The call's parameters, whether posted as a form (python-telegram-bot), JSON or a query."""
    params: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            params.update(await request.json())
        else:
            params.update((k, v) for k, v in (await request.post()).items())
    return params


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    """A JSON answer with the given HTTP status."""
    return web.json_response(body, status=status)
