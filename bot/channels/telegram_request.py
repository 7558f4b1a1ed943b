"""A Bot API transport that does not turn keyboards the bot never reads back into objects.

Telegram answers every sendMessage and editMessageText with the whole message, keyboard
included, and every button press comes with the pressed message, keyboard included.
python-telegram-bot would build a frozen object per button of them (a millisecond for a
team-mate question of 50 names), and nothing in the bot reads a keyboard back: it needs the
message's id, chat and text. `LeanRequest` wraps a transport and drops those keyboards from
the parsed answer before python-telegram-bot sees it. What goes to Telegram, and the raw
updates the journal keeps, are untouched.
"""

from __future__ import annotations

from typing import Any

from telegram.request import BaseRequest, RequestData


def drop_keyboards(payload: dict[str, Any]) -> dict[str, Any]:
    """Remove `reply_markup` from a sent or edited message in `payload`'s result, or from
    the pressed message of each button press in a getUpdates result; returns `payload`."""
    result = payload.get("result")
    if isinstance(result, dict):
        if "message_id" in result:
            result.pop("reply_markup", None)
    elif isinstance(result, list):
        for update in result:
            drop_pressed_keyboard(update)
    return payload


def drop_pressed_keyboard(update: object) -> None:
    """Remove the keyboard of the pressed message from a raw button-press update."""
    query = update.get("callback_query") if isinstance(update, dict) else None
    message = query.get("message") if isinstance(query, dict) else None
    if isinstance(message, dict):
        message.pop("reply_markup", None)


class LeanRequest(BaseRequest):
    """Delegates every call to `inner`; the answers come back without keyboards."""

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner

    @property
    def read_timeout(self) -> float | None:
        """The wrapped transport's timeout, which long polling adds to."""
        return self.inner.read_timeout

    async def initialize(self) -> None:
        """Open the wrapped transport."""
        await self.inner.initialize()

    async def shutdown(self) -> None:
        """Close the wrapped transport."""
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Make the call through the wrapped transport."""
        return await self.inner.do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """Parse the answer as python-telegram-bot does, less the keyboards in it."""
        parsed = BaseRequest.parse_json_payload(payload)
        return drop_keyboards(parsed) if isinstance(parsed, dict) else parsed
