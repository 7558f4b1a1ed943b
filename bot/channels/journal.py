"""A getUpdates transport that journals updates before python-telegram-bot acknowledges them.

python-telegram-bot confirms a batch of updates (by the offset of its next getUpdates call)
before its handlers have finished with them, so a process killed in between would lose them
for good. Wrapping the transport keeps the raw updates in SQLite first; start-up replays any
that never reached the end of a handler. Dedupe by update id makes the replay safe.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.channels.telegram_request import LeanRequest, drop_keyboards
from bot.core.clock import Clock, iso
from storage import journal
from storage.db import Store


class JournalingRequest(LeanRequest):
    """Delegates every call to `inner`; getUpdates results are journaled before returning
    (whole: the keyboards LeanRequest drops are dropped only from what PTB parses)."""

    def __init__(
        self,
        inner: BaseRequest,
        db: Store,
        clock: Clock,
        channel: str,
        owner: Callable[[], str | None] = lambda: None,
    ) -> None:
        super().__init__(inner)
        self.db = db
        self.clock = clock
        self.channel = channel
        self.owner = owner  # this process's id once it has one (bot/cluster/presence.py)

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
        """Make the call; journal getUpdates results before python-telegram-bot sees them."""
        status, body = await super().do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if status == 200 and url.endswith("/getUpdates"):
            parsed = await self._journal(body)
            # No await from here to python-telegram-bot's parse_json_payload of this body.
            JournalingRequest._decoded = None if parsed is None else (body, parsed)
        return status, body

    # The getUpdates answer the journal has just decoded, for parse_json_payload: a batch of
    # 100 button presses is ~200 KB of JSON, not worth decoding twice. One slot for every
    # instance (several bots) is enough: nothing else runs between the two.
    _decoded: tuple[bytes, dict[str, Any]] | None = None

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """The answer as LeanRequest parses it, taken from the journal's decoding if it
        has just decoded this very body."""
        decoded, JournalingRequest._decoded = JournalingRequest._decoded, None
        if decoded is not None and decoded[0] is payload:
            return drop_keyboards(decoded[1])
        return LeanRequest.parse_json_payload(payload)

    async def _journal(self, body: bytes) -> dict[str, Any] | None:
        """Journal the updates of a getUpdates answer; returns the decoded answer (None if
        it is not a JSON object)."""
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):
            return None
        if not isinstance(parsed, dict):
            return None
        updates = parsed.get("result")
        if not isinstance(updates, list):
            return parsed
        entries = [
            (str(u["update_id"]), u) for u in updates if isinstance(u, dict) and "update_id" in u
        ]
        if entries:
            async with self.db.transaction(brief=True) as tx:
                now = iso(self.clock.now())
                await journal.record(tx, self.channel, entries, now, self.owner())
        return parsed
