"""Driving the bot's web server in-process: an aiohttp test client per browser.

`browser(h)` serves the real application (bot/web/server.py) of a harness on a loopback port;
each client has its own cookie jar, so two clients are two people's browsers. `sign_in` does
what an officer does: /web in the chat, open the link, press "Đăng nhập".
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from bot.core.config import Config
from bot.web.server import build_app
from tests.support.harness import Harness, TgUser

PUBLIC_URL = "http://antt.test"
LINK = re.compile(r"http://antt\.test(/[^\s]+)")


def web_config(tmp_path: Path, **web: object) -> Config:
    """A config with the web server on (its files in the test's folder)."""
    return Config.model_validate(
        {"web": {"public_url": PUBLIC_URL, "files_dir": str(tmp_path / "web-files"), **web}}
    )


@asynccontextmanager
async def browser(h: Harness) -> AsyncIterator[TestClient]:
    """One browser on the harness's web server (a fresh cookie jar)."""
    client = TestClient(TestServer(build_app(h.runtime.services)))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


def path_of(url: str) -> str:
    """The path of a link the bot sent (the test server answers on another address)."""
    return urlsplit(url).path


def links_in(text: str) -> list[str]:
    """The paths of every link in a message."""
    return LINK.findall(text)


async def signin_path(user: TgUser) -> str:
    """Ask for /web in the chat and return the path of the link it sent."""
    replies = await user.send("/web")
    found = links_in("\n".join(m.text for m in replies))
    assert found, [m.text for m in replies]
    return found[0]


async def sign_in(client: TestClient, user: TgUser) -> ClientResponse:
    """/web, open the link, press "Đăng nhập": the response after the redirect."""
    path = await signin_path(user)
    page = await client.get(path)
    assert page.status == 200, await page.text()
    return await client.post(path)
