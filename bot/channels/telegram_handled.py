"""Which webhook posts wait for their update to be handled.

Telegram posts one chat's updates one after another: the next only once the previous post
was answered. A webhook that answered on receipt let a chat's next update reach another
process while the first was still being handled there, and be handled first. So a post is
answered once its update has been handled (or after a bound, the journal keeping it either
way): one chat's updates are then handled in order across processes, as within one.
"""

from __future__ import annotations

import asyncio

ANSWER_WITHIN_SECONDS = 20.0
"""The longest a post waits for its update's handling before it is answered anyway (Telegram
gives up on a post after about a minute and sends it again; the journal drops the copy)."""


class Handled:
    """The posts waiting, by update id, and the signal that their update is done."""

    def __init__(self) -> None:
        self._waiting: dict[int, asyncio.Future[None]] = {}

    def expect(self, update_id: int) -> asyncio.Future[None]:
        """A future the webhook awaits, set when the update's handling ends, whatever way."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[update_id] = future
        return future

    def finish(self, update_id: int) -> None:
        """The channel's handler is done with the update (replied, failed or ignored)."""
        future = self._waiting.pop(update_id, None)
        if future is not None and not future.done():
            future.set_result(None)

    def forget(self, update_id: int) -> None:
        """The post was answered (done or out of patience): nobody waits any more."""
        self._waiting.pop(update_id, None)
