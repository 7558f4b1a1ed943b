"""The real bot process with its web pages on, for the browser tests.

One organisation (the e2e tests' province, two communes, three villages) is loaded with the
real CLI and one bot process serves a whole test module, against the telegram-test-api
emulator, with `[web] public_url = "http://127.0.0.1:<free port>"` and the server listening
there: the links the bot sends in the chat open in Chromium as they are. People join with
invite codes (`WebWorld.codes`), as in tests/e2e/test_field_reports.py, whose `World` this
extends.
"""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.e2e.client import EmulatorUser
from tests.e2e.harness import Emulator, antt_bot, new_bot_token
from tests.e2e.test_field_reports import (
    COMMUNE,
    ORG_CSV,
    OTHER_COMMUNE,
    PROVINCE,
    TEAM_A,
    World,
)


@dataclass
class WebWorld(World):
    """The e2e world plus the address of its web pages."""

    web_url: str = ""


def free_port() -> int:
    """A loopback port nobody listens on now (the bot binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def config_text(db_path: Path, emulator_url: str, port: int, files_dir: Path, **web: str) -> str:
    """The bot's config: the emulator, no scheduled messages, the web server on `port`."""
    extra = "".join(f"{key} = {value}\n" for key, value in web.items())
    return f"""[database]
path = "{db_path}"
[telegram]
base_url = "{emulator_url}"
bot_username = "antt_test_bot"
poll_interval = 0.05
[reminders]
enabled = false
quiet_start = "00:00"
quiet_end = "00:00"
[web]
public_url = "http://127.0.0.1:{port}"
host = "127.0.0.1"
port = {port}
files_dir = "{files_dir}"
{extra}"""


def make_world(emulator: Emulator, root: Path, **web: str) -> WebWorld:
    """Write the config, load the organisation and the invite codes; the bot is not started.
    `web` adds `[web]` settings, each a TOML value (`tile_url='"http://…"'`)."""
    db_path = root / "bot.sqlite3"
    config = root / "config.toml"
    port = free_port()
    config.write_text(
        config_text(db_path, emulator.url, port, root / "web-files", **web), encoding="utf-8"
    )
    token = new_bot_token()
    bot = antt_bot(config, {"ANTT_TELEGRAM_TOKEN": token}, root / "bot.log")
    world = WebWorld(root, config, db_path, token, bot, emulator.url)
    world.web_url = f"http://127.0.0.1:{port}"
    org = root / "units.csv"
    org.write_text(ORG_CSV, encoding="utf-8")
    assert "6 created" in world.cli("org", "import", str(org))
    world.codes = {
        "member_a": world.invite(TEAM_A, "member", uses=50),
        "officer_commune": world.invite(COMMUNE, "officer"),
        "officer_province": world.invite(PROVINCE, "officer"),
        "officer_other": world.invite(OTHER_COMMUNE, "officer"),
        "supervisor_province": world.invite(PROVINCE, "supervisor"),
    }
    return world


def wait_for_pages(world: WebWorld, timeout: float = 15.0) -> None:
    """Wait until the bot's web server answers (it starts a moment after polling does)."""
    __tracebackhide__ = True
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{world.web_url}/static/site.css", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if not world.bot.running or time.monotonic() > deadline:
            raise AssertionError(
                f"the bot's web server did not answer on {world.web_url}:\n{world.bot.tail()}"
            )
        time.sleep(0.05)


async def signin_link(user: EmulatorUser, world: WebWorld) -> str:
    """What an officer does in the chat to get in: /web; the link the bot sent."""
    await user.send("/web")
    reply = await user.wait_reply("Liên kết đăng nhập")
    found = re.findall(re.escape(world.web_url) + r"/vao/\S+", reply.text)
    assert len(found) == 1, reply.text
    return str(found[0])


def unit_id(world: WebWorld, path: str) -> int:
    """A unit's id, as the pages' addresses carry it (`don-vi=`)."""
    rows = world.query("SELECT id FROM units WHERE path = ?", (path,))
    assert len(rows) == 1, path
    return int(rows[0]["id"])


def report_id(world: WebWorld, number: str) -> int:
    """A report's id from the number the chat's receipt gave (its page is /bao-cao/<id>)."""
    rows = world.query("SELECT id FROM reports WHERE number = ?", (number,))
    assert len(rows) == 1, number
    return int(rows[0]["id"])
