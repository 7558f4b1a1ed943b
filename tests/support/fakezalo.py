"""A faithful local fake of the Zalo Bot Platform API, for in-process and end-to-end tests.

What it copies from the real API (https://bot.zaloplatforms.com/docs):
- `POST /bot<TOKEN>/<method>` with a JSON body; answers `{"ok": true, "result": ...}` or
  `{"ok": false, "error_code": N, "description": "..."}` (401 for an unknown token, 404 for an
  unknown method, 400 for bad parameters, 408 when getUpdates times out with nothing new).
- getUpdates returns ONE update per call (no offset, no array), long-polling up to `timeout`
  seconds; it is refused while a webhook is set, as Zalo does.
- Updates: `event_name` in message.text.received / message.image.received /
  message.sticker.received / message.unsupported.received; string ids; `date` in ms;
  `message.from.id`, `message.chat.id`, `message.chat.chat_type`; photos as `photo_url`.
- sendMessage refuses texts over 2,000 characters (and empty ones); sendPhoto takes a URL.
- sendPhoto: with `fetch_photos` (end-to-end tests) the fake downloads the photo from its URL
  as Zalo does, records what it got (`BotState.downloads`) and refuses a photo it cannot get.
- setWebhook needs a secret of 8 to 256 characters; updates are then POSTed to the URL with
  `X-Bot-Api-Secret-Token`, bare (`{"event_name", "message"}`).
- Photos users send are served at `/media/<name>.jpg`, so the bot downloads real bytes.

It runs its own event loop in a thread, so one server can serve a module's worth of tests and
a bot in another process; the test-facing methods are async and safe from any event loop.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from aiohttp import web
from pydantic import SecretStr

from bot.core.config import Config

TEXT_LIMIT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"
PHOTO_BYTES = b"\xff\xd8\xff\xe0" + b"FAKE-JPEG-" * 50 + b"\xff\xd9"
T = TypeVar("T")


@dataclass
class SentMessage:
    """One thing the bot sent: a text or a photo, in a chat, with its Zalo message id."""

    chat_id: str
    text: str
    message_id: str
    date: int
    method: str = "sendMessage"
    photo: str | None = None

    def lines(self) -> list[str]:
        """The text's lines (numbered choices are lines "1. ...")."""
        return self.text.splitlines()

    def choice_number(self, label_part: str) -> str:
        """The number to type for the first numbered choice whose label contains `label_part`."""
        for line in self.lines():
            head, dot, label = line.partition(". ")
            if dot and head.isdigit() and label_part in label:
                return head
        raise AssertionError(f"no numbered choice containing {label_part!r} in:\n{self.text}")


@dataclass
class Download:
    """A photo the fake fetched for sendPhoto: what the bot's URL answered."""

    url: str
    status: int
    content_type: str
    data: bytes


@dataclass
class BotState:
    token: str
    updates: collections.deque[dict[str, Any]] = field(default_factory=collections.deque)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    sent: list[SentMessage] = field(default_factory=list)
    calls: list[tuple[float, str]] = field(default_factory=list)
    errors: list[tuple[str, int, str]] = field(default_factory=list)
    webhook_url: str = ""
    webhook_secret: str = ""
    served: int = 0  # updates handed out by getUpdates or accepted by the webhook
    served_at: float = 0.0  # time.time() of the last update handed out
    flood: int = 0  # the next N sendMessage calls answer 429 (a rate limit)
    downloads: list[Download] = field(default_factory=list)  # photos fetched for sendPhoto


class FakeZalo:
    """The fake server. `start()` in a thread; `bot(token)` registers a bot's token."""

    def __init__(self, *, fetch_photos: bool = False) -> None:
        self.fetch_photos = fetch_photos  # GET each sendPhoto URL, as Zalo does
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self.bots: dict[str, BotState] = {}
        self._ids = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._http: httpx.AsyncClient | None = None
        self._closing = False

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        """The base URL to configure as `[zalo] base_url`."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeZalo:
        """Serve on a free loopback port in a background thread."""
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(self._start())
            ready.set()
            self.loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake-zalo", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake Zalo server did not start")
        return self

    def stop(self) -> None:
        """Shut the server down and join its thread."""
        if self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self._thread = None

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._api)
        app.router.add_get("/media/{name}", self._media)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._http = httpx.AsyncClient(timeout=10)

    async def _stop(self) -> None:
        self._closing = True
        for bot in self.bots.values():
            bot.arrived.set()  # end pending long polls at once
        if self._http is not None:
            await self._http.aclose()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _on_loop(self, make: Callable[[], Awaitable[T]]) -> T:
        """Run a coroutine on the fake's loop from whatever loop the test runs in."""
        future = asyncio.run_coroutine_threadsafe(make(), self.loop)  # type: ignore[arg-type]
        return await asyncio.wrap_future(future)

    # ------------------------------------------------------------------ test side

    def configure(self, config: Config, media_dir: Path) -> str:
        """Point a config's [zalo] section at this fake with a new bot; returns its token."""
        token = self.new_token()
        config.zalo.base_url = self.url
        config.zalo.media_dir = str(media_dir)
        config.zalo.token = SecretStr(token)
        return token

    def new_token(self) -> str:
        """A token in Zalo's shape ("<bot id>:<secret>"), registered as a valid bot."""
        token = f"{secrets.randbelow(9 * 10**17) + 10**17}:{secrets.token_urlsafe(24)}"
        self.bots[token] = BotState(token)
        return token

    def state(self, token: str) -> BotState:
        """Everything the fake knows about one bot (read-only use from tests)."""
        return self.bots[token]

    def user(self, token: str, name: str) -> ZaloUser:
        """Someone in a private chat with the bot."""
        return ZaloUser(self, token, secrets.token_hex(10), name)

    async def push(self, token: str, update: dict[str, Any]) -> int:
        """Deliver an update to the bot: by webhook when one is set, else via getUpdates.

        Returns the webhook's HTTP status (200 for the getUpdates queue).
        """
        return await self._on_loop(lambda: self._push(token, update))

    async def _push(self, token: str, update: dict[str, Any]) -> int:
        bot = self.bots[token]
        if bot.webhook_url:
            assert self._http is not None
            response = await self._http.post(
                bot.webhook_url, json=update, headers={SECRET_HEADER: bot.webhook_secret}
            )
            if response.status_code == 200:
                bot.served += 1
            return response.status_code
        bot.updates.append(update)
        bot.arrived.set()
        return 200

    async def wait_served(self, token: str, count: int, timeout: float = 10.0) -> None:
        """Wait until the bot has taken `count` updates in all and asked for the next one.

        Asking again means it finished the previous update (it handles one at a time), so a
        test can then assert that a duplicate produced no reply.
        """
        deadline = time.monotonic() + timeout
        bot = self.bots[token]
        while True:
            polled_after = any(
                m == "getUpdates" and t > bot.served_at for t, m in reversed(bot.calls[-5:])
            )
            if bot.served >= count and not bot.updates and polled_after:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot took {bot.served} of {count} updates in {timeout}s")
            await asyncio.sleep(0.02)

    async def wait_polling(self, token: str, timeout: float = 20.0) -> None:
        """Wait until a bot with this token calls getUpdates."""
        deadline = time.monotonic() + timeout
        while not any(m == "getUpdates" for _, m in self.bots[token].calls):
            if time.monotonic() > deadline:
                raise AssertionError(f"no bot polled getUpdates within {timeout}s")
            await asyncio.sleep(0.02)

    def message(self, event: str, chat_id: str, name: str, **fields: Any) -> dict[str, Any]:
        """A bare update as Zalo sends it (ids are strings, `date` in milliseconds)."""
        message_id = fields.pop("message_id", None) or secrets.token_hex(10)
        return {
            "event_name": event,
            "message": {
                "message_id": message_id,
                "date": int(time.time() * 1000),
                "from": {"id": chat_id, "display_name": name, "is_bot": False},
                "chat": {"id": chat_id, "chat_type": "PRIVATE"},
                **fields,
            },
        }

    # ------------------------------------------------------------------ the API

    async def _api(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        bot = self.bots.get(token)
        if bot is None:
            return _error(401, "Unauthorized")
        bot.calls.append((time.time(), method))
        try:
            params = await request.json() if request.can_read_body else {}
        except json.JSONDecodeError:
            return _error(400, "Bad Request: body is not JSON")
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found")
        if method == "sendMessage" and bot.flood > 0:
            bot.flood -= 1
            bot.errors.append((method, 429, "Too Many Requests"))
            return _error(429, "Too Many Requests")
        response: web.Response = await handler(bot, params or {}, request)
        answer = json.loads(response.body)  # type: ignore[arg-type]
        if not answer["ok"] and answer["error_code"] != 408:
            bot.errors.append((method, answer["error_code"], answer["description"]))
        return response

    async def _m_getMe(self, bot: BotState, params: dict[str, Any], _: web.Request) -> web.Response:
        return _ok(
            {"id": bot.token.split(":")[0], "account_name": "bot.fake", "can_join_groups": False}
        )

    async def _m_getUpdates(
        self, bot: BotState, params: dict[str, Any], request: web.Request
    ) -> web.Response:
        if bot.webhook_url:
            return _error(400, "Bad Request: webhook is active, use deleteWebhook first")
        try:
            timeout = float(params.get("timeout", "30"))
        except (TypeError, ValueError):
            return _error(400, "Bad Request: timeout must be a number of seconds")
        deadline = time.monotonic() + timeout
        while not bot.updates:
            bot.arrived.clear()
            left = deadline - time.monotonic()
            if left <= 0 or self._closing:
                return _error(408, "Request timeout")
            try:
                await asyncio.wait_for(bot.arrived.wait(), left)
            except TimeoutError:
                return _error(408, "Request timeout")
        transport = request.transport
        if transport is None or transport.is_closing():
            return _error(408, "client gone")  # the update stays queued for the next poll
        update = bot.updates.popleft()
        bot.served += 1
        bot.served_at = time.time()
        return _ok(update)

    async def _m_sendMessage(
        self, bot: BotState, params: dict[str, Any], _: web.Request
    ) -> web.Response:
        chat_id, text = params.get("chat_id"), params.get("text")
        if not isinstance(chat_id, str) or not chat_id:
            return _error(400, "Bad Request: chat_id is required (a string)")
        if not isinstance(text, str) or not 1 <= len(text) <= TEXT_LIMIT:
            return _error(400, "Bad Request: text length must be between 1 and 2000")
        return _ok(self._record(bot, chat_id, text, "sendMessage"))

    async def _m_sendPhoto(
        self, bot: BotState, params: dict[str, Any], _: web.Request
    ) -> web.Response:
        chat_id, photo = params.get("chat_id"), params.get("photo")
        caption = params.get("caption") or ""
        if not isinstance(chat_id, str) or not isinstance(photo, str) or not photo:
            return _error(400, "Bad Request: chat_id and photo are required")
        if len(caption) > TEXT_LIMIT:
            return _error(400, "Bad Request: caption length must be at most 2000")
        if self.fetch_photos and not await self._fetch(bot, photo):
            return _error(400, "Bad Request: the photo could not be downloaded from its URL")
        return _ok(self._record(bot, chat_id, caption, "sendPhoto", photo))

    async def _fetch(self, bot: BotState, url: str) -> bool:
        """Download a photo as Zalo does before it shows it; True when it is an image."""
        assert self._http is not None
        try:
            response = await self._http.get(url)
        except httpx.HTTPError as err:
            bot.downloads.append(Download(url, 0, type(err).__name__, b""))
            return False
        kind = response.headers.get("content-type", "")
        bot.downloads.append(Download(url, response.status_code, kind, response.content))
        return response.status_code == 200 and kind.startswith("image/")

    async def _m_setWebhook(
        self, bot: BotState, params: dict[str, Any], _: web.Request
    ) -> web.Response:
        url, secret = params.get("url"), params.get("secret_token")
        if not isinstance(url, str) or not url.startswith(("https://", "http://127.0.0.1")):
            return _error(400, "Bad Request: url must be HTTPS")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            return _error(400, "Bad Request: secret_token must be 8 to 256 characters")
        bot.webhook_url, bot.webhook_secret = url, secret
        return _ok({"url": url, "updated_at": int(time.time() * 1000)})

    async def _m_deleteWebhook(
        self, bot: BotState, params: dict[str, Any], _: web.Request
    ) -> web.Response:
        bot.webhook_url = bot.webhook_secret = ""
        return _ok({"url": "", "updated_at": int(time.time() * 1000)})

    async def _m_getWebhookInfo(
        self, bot: BotState, params: dict[str, Any], _: web.Request
    ) -> web.Response:
        return _ok({"url": bot.webhook_url, "updated_at": int(time.time() * 1000)})

    def _record(
        self, bot: BotState, chat_id: str, text: str, method: str, photo: str | None = None
    ) -> dict[str, Any]:
        message_id = f"{next(self._ids):020x}"
        date = int(time.time() * 1000)
        bot.sent.append(SentMessage(chat_id, text, message_id, date, method, photo))
        return {"message_id": message_id, "date": date}

    async def _media(self, request: web.Request) -> web.Response:
        return web.Response(body=PHOTO_BYTES, content_type="image/jpeg")


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(code: int, description: str) -> web.Response:
    # Zalo answers errors with HTTP 200 and ok=false; the code is in the body.
    return web.json_response({"ok": False, "error_code": code, "description": description})


class ZaloUser:
    """A person in a private Zalo chat with the bot: sends, and reads what the bot sent."""

    def __init__(self, fake: FakeZalo, token: str, user_id: str, name: str) -> None:
        self.fake = fake
        self.token = token
        self.id = user_id
        self.name = name
        self._read = 0
        self.last_update: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"ZaloUser({self.name!r}, id={self.id})"

    @property
    def messages(self) -> list[SentMessage]:
        """Everything the bot sent to this chat, oldest first."""
        return [m for m in self.fake.state(self.token).sent if m.chat_id == self.id]

    async def _send(self, event: str, **fields: Any) -> dict[str, Any]:
        update = self.fake.message(event, self.id, self.name, **fields)
        self.last_update = update
        status = await self.fake.push(self.token, update)
        assert status == 200, f"the bot's webhook answered {status}"
        return update

    async def send(self, text: str, **fields: Any) -> dict[str, Any]:
        """Type a text message."""
        return await self._send("message.text.received", text=text, **fields)

    async def send_photo(self, caption: str | None = None) -> dict[str, Any]:
        """Send a photo (served by the fake at /media/<id>.jpg)."""
        name = secrets.token_hex(8)
        extra = {"caption": caption} if caption else {}
        return await self._send(
            "message.image.received", photo_url=f"{self.fake.url}/media/{name}.jpg", **extra
        )

    async def send_sticker(self) -> dict[str, Any]:
        """Send a sticker (the bot cannot understand it)."""
        return await self._send("message.sticker.received", sticker="0e078a2fb66a5f34067b")

    async def send_unsupported(self) -> dict[str, Any]:
        """Send something Zalo bots do not receive the content of (a location, a file...)."""
        return await self._send("message.unsupported.received")

    async def resend(self, update: dict[str, Any]) -> None:
        """Deliver exactly the same update again (same message_id), as a retrying Zalo would."""
        status = await self.fake.push(self.token, update)
        assert status == 200

    def unread(self) -> list[SentMessage]:
        """Messages that arrived since the last read, marking them read."""
        messages = self.messages
        fresh = messages[self._read :]
        self._read = len(messages)
        return fresh

    async def wait_reply(self, contains: str, timeout: float = 10.0) -> SentMessage:
        """The first unread message containing `contains`; earlier unread ones are skipped."""
        __tracebackhide__ = True
        deadline = time.monotonic() + timeout
        while True:
            messages = self.messages
            for index in range(self._read, len(messages)):
                if contains in messages[index].text:
                    self._read = index + 1
                    return messages[index]
            if time.monotonic() > deadline:
                recent = "\n---\n".join(m.text for m in messages[-3:])
                raise AssertionError(f"no message containing {contains!r}; last ones:\n{recent}")
            await asyncio.sleep(0.02)

    async def answer(self, message: SentMessage, label_part: str) -> None:
        """Type the number of a numbered choice, as Zalo users answer."""
        await self.send(message.choice_number(label_part))
