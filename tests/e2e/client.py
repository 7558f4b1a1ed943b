"""A Telegram user, played through the emulator's client API, for tests that read like a person.

    lan = make_user("Lan")
    await lan.send("/start")
    welcome = await lan.wait_reply("Xin chào")
    await lan.press("Báo cáo")
    assert (await lan.wait_callback_answer()).text is None
    edited = await lan.wait_reply("Chọn loại")
    assert edited.edited and edited.message_id == welcome.message_id

What a user sees is kept in two forms:

- ``events``: every new message, edit and deletion in the order they reached the user, each a
  snapshot (``BotMessage``). ``wait_reply`` walks these with a cursor, so each reply is
  returned once and a test reads the conversation in order.
- ``messages``: the current state of each bot message by id, what the chat shows now;
  ``all_texts()`` and ``press()`` use it.
"""

from __future__ import annotations

import asyncio
import base64
import html
import itertools
import json
import re
import time
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

_TAG = re.compile(r"<[^>]+>")
_MD_ESCAPE = re.compile(r"\\([_*\[\]()~`>#+\-=|{}.!\\])")


def bot_user_for(token: str) -> dict[str, Any]:
    """The bot's User object, as the patched emulator's getMe builds it (see emulator.js)."""
    prefix = token.split(":", 1)[0]
    return {
        "id": int(prefix) if prefix.isdigit() else 666,
        "is_bot": True,
        "first_name": "Test First name",
        "username": "TestNameBot",
    }


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _plain(text: str, parse_mode: str | None) -> str:
    mode = (parse_mode or "").upper()
    if mode == "HTML":
        return html.unescape(_TAG.sub("", text))
    if mode == "MARKDOWNV2":
        return _MD_ESCAPE.sub(r"\1", text)
    return text


@dataclass(frozen=True)
class Button:
    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class CallbackAnswer:
    """What answerCallbackQuery showed: a toast (or an alert box when show_alert)."""

    text: str | None
    show_alert: bool
    url: str | None = None


@dataclass(frozen=True)
class BotMessage:
    """One bot message as the user sees it (a snapshot: edits arrive as new snapshots)."""

    message_id: int
    text: str  # what the user reads: markup of parse_mode removed; a file's caption
    raw_text: str  # as the bot sent it
    parse_mode: str | None
    buttons: tuple[tuple[Button, ...], ...]  # inline keyboard rows
    keyboard: tuple[tuple[str, ...], ...] | None  # reply keyboard rows, if this message set one
    remove_keyboard: bool  # this message removed the reply keyboard
    date: float  # Unix seconds when sent
    edited: bool = False
    deleted: bool = False
    document: dict[str, Any] | None = None
    photo: list[dict[str, Any]] | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_emulator(cls, item: dict[str, Any]) -> BotMessage:
        msg = item["message"]
        raw_text = msg.get("text") if msg.get("text") is not None else msg.get("caption") or ""
        parse_mode = msg.get("parse_mode") or None
        markup = msg.get("reply_markup") or {}
        if isinstance(markup, str):  # the unpatched emulator stores what it was given
            markup = json.loads(markup)
        buttons = tuple(
            tuple(Button(b.get("text", ""), b.get("callback_data"), b.get("url")) for b in row)
            for row in markup.get("inline_keyboard") or ()
        )
        keyboard = None
        if "keyboard" in markup:
            keyboard = tuple(
                tuple(b if isinstance(b, str) else b.get("text", "") for b in row)
                for row in markup["keyboard"]
            )
        return cls(
            message_id=int(item["messageId"]),
            text=_plain(str(raw_text), parse_mode),
            raw_text=str(raw_text),
            parse_mode=parse_mode,
            buttons=buttons,
            keyboard=keyboard,
            remove_keyboard=bool(markup.get("remove_keyboard")),
            date=float(item["time"]) / 1000.0,
            edited=bool(item.get("edited")),
            deleted=bool(item.get("deleted")),
            document=msg.get("document"),
            photo=msg.get("photo"),
            raw=item,
        )

    @property
    def labels(self) -> list[str]:
        """Inline button labels, row by row."""
        return [b.text for row in self.buttons for b in row]

    def find_button(self, label: str) -> Button | None:
        """The inline button whose label is ``label``, else the one label containing it.

        Raises AssertionError when several labels contain it and none is exact.
        """
        flat = [b for row in self.buttons for b in row]
        exact = [b for b in flat if b.text == label]
        if exact:
            return exact[0]
        partial = [b for b in flat if label in b.text]
        if len(partial) > 1:
            raise AssertionError(
                f"{label!r} matches several buttons {[b.text for b in partial]} "
                f"on message {self.message_id}: be more specific"
            )
        return partial[0] if partial else None

    def __contains__(self, text: str) -> bool:
        return text in self.text

    def __str__(self) -> str:
        flags = "".join(f" [{f}]" for f in ("edited", "deleted") if getattr(self, f))
        buttons = f" {self.labels}" if self.buttons else ""
        return f"#{self.message_id}{flags} {self.text!r}{buttons}"


_ids = itertools.count(int(time.time()) % 1_000_000 * 1000 + 100_000_000)


def next_user_id() -> int:
    """A user id no other EmulatorUser of this test session has."""
    return next(_ids)


class EmulatorUser:
    """A person in a private chat with the bot whose token is ``bot_token``."""

    def __init__(
        self,
        emulator_url: str,
        bot_token: str,
        *,
        first_name: str,
        user_id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "vi",
        poll_interval: float = 0.05,
    ) -> None:
        self.emulator_url = emulator_url.rstrip("/")
        self.bot_token = bot_token
        self.user_id = user_id if user_id is not None else next_user_id()
        self.chat_id = self.user_id  # a private chat's id is the user's id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.poll_interval = poll_interval
        self.events: list[BotMessage] = []
        self.messages: dict[int, BotMessage] = {}
        self.last_callback_id: str | None = None
        self._cursor = 0
        self._http: httpx.AsyncClient | None = None

    # -- who I am
    @property
    def user(self) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        return user

    @property
    def chat(self) -> dict[str, Any]:
        chat: dict[str, Any] = {
            "id": self.chat_id,
            "type": "private",
            "first_name": self.first_name,
        }
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat

    def __repr__(self) -> str:
        return f"EmulatorUser({self.first_name!r}, id={self.user_id})"

    # -- plumbing
    async def _post(self, route: str, body: dict[str, Any]) -> Any:
        if self._http is None:
            self._http = httpx.AsyncClient(base_url=self.emulator_url, timeout=10)
        response = await self._http.post(route, json=body)
        if response.status_code != 200:
            raise AssertionError(
                f"emulator {route} answered {response.status_code}: {response.text}"
            )
        return response.json()["result"]

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def _message(self, **content: Any) -> dict[str, Any]:
        return {
            "botToken": self.bot_token,
            "from": self.user,
            "chat": self.chat,
            "date": int(time.time()),
            **content,
        }

    # -- saying things
    async def send(self, text: str) -> int:
        """Type ``text`` and send it; "/cmd args" goes as a command. Returns its message_id."""
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]
            ids = await self._post("/sendCommand", self._message(text=text, entities=entities))
        else:
            ids = await self._post("/sendMessage", self._message(text=text))
        return int(ids["message_id"])

    async def send_location(self, latitude: float, longitude: float) -> int:
        location = {"latitude": latitude, "longitude": longitude}
        ids = await self._post("/sendMessage", self._message(location=location))
        return int(ids["message_id"])

    async def upload(self, data: bytes, filename: str, mime_type: str) -> dict[str, Any]:
        """Store a file in the emulator as if the user uploaded it; returns its file meta."""
        meta: dict[str, Any] = await self._post(
            "/harness/upload",
            {
                "token": self.bot_token,
                "filename": filename,
                "mimeType": mime_type,
                "dataBase64": base64.b64encode(data).decode(),
            },
        )
        return meta

    async def send_photo(self, data: bytes, caption: str | None = None) -> int:
        meta = await self.upload(data, "photo.jpg", "image/jpeg")
        size = {k: meta[k] for k in ("file_id", "file_unique_id", "file_size")}
        content: dict[str, Any] = {"photo": [{**size, "width": 640, "height": 480}]}
        if caption is not None:
            content["caption"] = caption
        ids = await self._post("/sendMessage", self._message(**content))
        return int(ids["message_id"])

    async def send_document(
        self,
        data: bytes,
        filename: str,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> int:
        meta = await self.upload(data, filename, mime_type)
        document = {k: meta[k] for k in ("file_id", "file_unique_id", "file_size", "file_name")}
        content: dict[str, Any] = {"document": {**document, "mime_type": mime_type}}
        if caption is not None:
            content["caption"] = caption
        ids = await self._post("/sendMessage", self._message(**content))
        return int(ids["message_id"])

    async def download(self, message: BotMessage) -> bytes:
        """The bytes of the document (or largest photo) the bot sent in ``message``."""
        if message.document:
            file_id = message.document["file_id"]
        elif message.photo:
            file_id = message.photo[-1]["file_id"]
        else:
            raise AssertionError(f"{message} carries no file")
        if self._http is None:
            self._http = httpx.AsyncClient(base_url=self.emulator_url, timeout=10)
        response = await self._http.get(f"/harness/files/{file_id}")
        response.raise_for_status()
        return response.content

    # -- buttons
    async def press(self, label: str, timeout: float = 5.0) -> str | None:
        """Press the button labelled ``label`` (or containing it) that the chat shows.

        Inline buttons are searched from the newest bot message back; the first message with a
        match wins. A reply-keyboard button is "pressed" by sending its text. If no such button
        is on screen yet, waits up to ``timeout`` seconds for the bot to show one. Returns the
        callback query id for an inline button (see ``wait_callback_answer``), else None.
        """
        __tracebackhide__ = True
        deadline = time.monotonic() + timeout
        while True:
            await self._sync()
            found = self._find_button(label)
            if found is not None:
                break
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.first_name} sees no button {label!r} after {timeout}s; "
                    f"buttons on screen: {self.visible_buttons()}"
                )
            await asyncio.sleep(self.poll_interval)
        message, button = found
        if message is None:  # a reply-keyboard button
            await self.send(button.text)
            return None
        if button.callback_data is None:
            raise AssertionError(f"{button.text!r} on {message} is not a callback button")
        pressed = {
            "message_id": message.message_id,
            "date": int(message.date),
            "chat": self.chat,
            "from": bot_user_for(self.bot_token),
            "text": message.raw_text,
            "reply_markup": {
                "inline_keyboard": [[_button_json(b) for b in row] for row in message.buttons]
            },
        }
        ids = await self._post(
            "/sendCallback",
            {
                "botToken": self.bot_token,
                "from": self.user,
                "message": pressed,
                "data": button.callback_data,
                "date": int(time.time()),
            },
        )
        self.last_callback_id = str(ids["callback_query_id"])
        return self.last_callback_id

    def _find_button(self, label: str) -> tuple[BotMessage | None, Button] | None:
        for message in sorted(self.messages.values(), key=lambda m: m.message_id, reverse=True):
            if message.deleted or not message.buttons:
                continue
            button = message.find_button(label)
            if button is not None:
                return message, button
        keyboard = self.reply_keyboard or ()
        flat = [text for row in keyboard for text in row]
        chosen = [t for t in flat if t == label] or [t for t in flat if label in t]
        if len(chosen) > 1:
            raise AssertionError(f"{label!r} matches several keyboard buttons {chosen}")
        return (None, Button(chosen[0])) if chosen else None

    @property
    def reply_keyboard(self) -> tuple[tuple[str, ...], ...] | None:
        """The reply keyboard the chat shows now (set by the latest message that set one)."""
        for message in sorted(self.messages.values(), key=lambda m: m.message_id, reverse=True):
            if message.remove_keyboard:
                return None
            if message.keyboard is not None:
                return message.keyboard
        return None

    def visible_buttons(self) -> dict[int, list[str]]:
        """Inline button labels by message id, plus the reply keyboard under key 0."""
        shown = {
            m.message_id: m.labels for m in self.messages.values() if m.buttons and not m.deleted
        }
        if self.reply_keyboard:
            shown[0] = [t for row in self.reply_keyboard for t in row]
        return shown

    async def wait_callback_answer(
        self, callback_query_id: str | None = None, timeout: float = 5.0
    ) -> CallbackAnswer:
        """Wait for the bot to answer the last (or given) button press."""
        __tracebackhide__ = True
        query_id = callback_query_id or self.last_callback_id
        if query_id is None:
            raise AssertionError(f"{self.first_name} has pressed no inline button")
        deadline = time.monotonic() + timeout
        while True:
            answer = await self._post("/harness/callbackAnswer", {"callbackQueryId": query_id})
            if answer is not None:
                return CallbackAnswer(
                    answer.get("text"), bool(answer.get("show_alert")), answer.get("url")
                )
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the bot did not answer {self.first_name}'s button press within {timeout}s"
                )
            await asyncio.sleep(self.poll_interval)

    # -- reading
    async def _sync(self) -> int:
        """Fetch what reached the chat since the last look; returns how many events arrived."""
        items = await self._post("/getUpdates", {"token": self.bot_token, "chatId": self.chat_id})
        items.sort(key=lambda i: (max(i.get("time", 0), i.get("editTime") or 0), i["messageId"]))
        for item in items:
            message = BotMessage.from_emulator(item)
            known = self.messages.get(message.message_id)
            if known is not None and message.deleted:
                message = replace(known, deleted=True)
            self.messages[message.message_id] = message
            self.events.append(message)
        return len(items)

    async def wait_reply(self, contains: str | None = None, timeout: float = 10.0) -> BotMessage:
        """The next new message or edit from the bot that this test has not read yet.

        With ``contains``, the next one whose text contains it (events before it are passed
        over, but stay in ``events``). Raises AssertionError after ``timeout`` seconds, showing
        what the bot did say.
        """
        __tracebackhide__ = True
        deadline = time.monotonic() + timeout
        while True:
            for index in range(self._cursor, len(self.events)):
                event = self.events[index]
                if event.deleted:
                    continue
                if contains is None or contains in event.text:
                    self._cursor = index + 1
                    return event
            if time.monotonic() > deadline:
                said = "\n  ".join(str(e) for e in self.events[-10:]) or "(nothing)"
                want = f"a reply containing {contains!r}" if contains else "a reply"
                raise AssertionError(
                    f"{self.first_name} waited {timeout}s for {want}; "
                    f"the bot's last messages:\n  {said}"
                )
            if not await self._sync():
                await asyncio.sleep(self.poll_interval)

    async def expect_silence(self, seconds: float = 0.5) -> None:
        """Assert the bot sends nothing new for ``seconds``."""
        __tracebackhide__ = True
        before = len(self.events)
        shown = {m.message_id: (m.text, m.labels, m.deleted) for m in self.messages.values()}
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await self._sync()
            await asyncio.sleep(self.poll_interval)
        # The emulator may report an edit it already reported (same text, same buttons): the
        # chat looks the same, so that is silence; anything the member would see is not.
        new = [
            e
            for e in self.events[before:]
            if shown.get(e.message_id) != (e.text, e.labels, e.deleted)
        ]
        if new:
            said = ", ".join(str(e) for e in new)
            raise AssertionError(f"expected silence, but the bot sent {said}")

    def all_texts(self) -> list[str]:
        """The texts the chat shows now, oldest first (edits applied, deleted messages gone)."""
        ordered = sorted(self.messages.values(), key=lambda m: m.message_id)
        return [m.text for m in ordered if not m.deleted]

    @property
    def last(self) -> BotMessage | None:
        """The newest bot message still in the chat."""
        shown = [m for m in self.messages.values() if not m.deleted]
        return max(shown, key=lambda m: m.message_id) if shown else None


def _button_json(button: Button) -> dict[str, Any]:
    out: dict[str, Any] = {"text": button.text}
    if button.callback_data is not None:
        out["callback_data"] = button.callback_data
    if button.url is not None:
        out["url"] = button.url
    return out
