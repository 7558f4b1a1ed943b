"""The application in this test's own process, on a loopback port, for Chromium to open.

The real bot process runs on the system clock, which a test cannot move, and makes file links
only where a command makes a file. What needs time to pass (an expired link) or a file link
made directly (`bot.web.links.file`) is tested here instead: the same application
(tests/support/harness.py: everything but the messengers' network is real) with a
ManualClock, its web server on 127.0.0.1:<free port>, and `[web] public_url` naming that
address so the links the bot sends open in the browser as they are.

The server answers in this test's event loop while Selenium blocks, so every browser step
goes through `step(...)` (a thread), never a direct call.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from aiohttp.test_utils import TestServer

from bot.core.clock import ManualClock
from bot.web.server import build_app
from tests.browser.site import free_port
from tests.inproc.police_world import People, enrol
from tests.support.harness import START, Harness, TgUser, make_harness
from tests.support.web import web_config

T = TypeVar("T")


@dataclass
class LocalSite:
    """The in-process bot, its people (tests/inproc/police_world.py) and its address."""

    h: Harness
    people: People
    url: str

    async def signin_link(self, user: TgUser) -> str:
        """/web in the chat; the link the bot sent."""
        replies = await user.send("/web")
        found = re.findall(re.escape(self.url) + r"/vao/\S+", "\n".join(m.text for m in replies))
        assert len(found) == 1, [m.text for m in replies]
        return str(found[0])


@asynccontextmanager
async def local_site(tmp_path: Path, **web: object) -> AsyncIterator[LocalSite]:
    """The application with its pages on a free loopback port, the clock at START."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config = web_config(tmp_path, public_url=url, **web)
    h = await make_harness(tmp_path, ManualClock(START), config)
    server = TestServer(build_app(h.runtime.services), host="127.0.0.1", port=port)
    try:
        await server.start_server()
        yield LocalSite(h, await enrol(h), url)
    finally:
        await server.close()
        await h.close()


async def step(action: Callable[..., T], *args: Any) -> T:
    """Run one browser step in a thread, so this loop's server can answer it."""
    return await asyncio.to_thread(action, *args)
