"""The e2e harness itself: emulator fixes, the test user, and a bot process that crashes.

Uses tests/e2e/_smoke_bot.py, a tiny python-telegram-bot bot started the way the real one is.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from .client import EmulatorUser
from .harness import BotProcess, Emulator

pytestmark = pytest.mark.e2e

SMOKE_BOT = Path(__file__).with_name("_smoke_bot.py")


def smoke_bot(bot_process: Callable[..., BotProcess], emulator: Emulator, token: str) -> BotProcess:
    return bot_process(
        [sys.executable, str(SMOKE_BOT)],
        env={"ANTT_TELEGRAM_TOKEN": token, "SMOKE_BASE_URL": emulator.url},
        name="smoke-bot",
    )


async def test_conversation_survives_a_crash(
    emulator: Emulator,
    bot_token: str,
    bot_process: Callable[..., BotProcess],
    make_user: Callable[..., EmulatorUser],
) -> None:
    bot = smoke_bot(bot_process, emulator, bot_token).start()
    await emulator.wait_polling(bot_token, bot=bot)
    lan = make_user("Lan")

    await lan.send("/start")
    hello = await lan.wait_reply("Hello")
    assert hello.text == "Hello Lan!"  # HTML markup removed: what the person reads
    assert hello.labels == ["Say hi", "Count"]

    await lan.press("hi")
    assert (await lan.wait_callback_answer()).text == "pressed hi"
    edited = await lan.wait_reply("You pressed")
    assert edited.message_id == hello.message_id and edited.edited
    assert edited.buttons == ()  # editMessageText without reply_markup removes the keyboard
    assert lan.all_texts() == ["You pressed hi"]

    # A crash: whatever the user says meanwhile waits at "Telegram" for the next process.
    assert bot.kill() == -9
    await lan.send("are you there?")
    bot.restart()
    await emulator.wait_polling(bot_token, bot=bot)
    assert (await lan.wait_reply()).text == "echo: are you there?"

    await lan.send("/start")
    await lan.wait_reply("Hello")
    await lan.press("Count")
    assert (await lan.wait_callback_answer()).text == "pressed count"
    assert (await lan.wait_reply()).text == "You pressed count"
    assert (await lan.wait_reply()).text == "presses in this process: 1"
    assert lan.all_texts() == [
        "You pressed hi",
        "echo: are you there?",
        "You pressed count",
        "presses in this process: 1",
    ]

    commands = await emulator.calls(bot_token, "setMyCommands")
    assert len(commands) == 2  # once per start, accepted by the emulator
    assert bot.stop() == 0  # SIGTERM: python-telegram-bot shuts down cleanly
    assert "smoke bot polling as @TestNameBot" in bot.output(current_run=True)


async def test_users_are_isolated_and_files_round_trip(
    emulator: Emulator,
    bot_token: str,
    bot_process: Callable[..., BotProcess],
    make_user: Callable[..., EmulatorUser],
) -> None:
    bot = smoke_bot(bot_process, emulator, bot_token).start()
    await emulator.wait_polling(bot_token, bot=bot)
    lan, minh = make_user("Lan"), make_user("Minh")

    await asyncio.gather(lan.send("one"), minh.send("two"))
    assert (await lan.wait_reply()).text == "echo: one"
    assert (await minh.wait_reply()).text == "echo: two"

    await lan.send("/doc")
    report = await lan.wait_reply("your report")
    assert report.document is not None and report.document["file_name"] == "report.csv"
    assert await lan.download(report) == b"report,1\n"

    await minh.send_photo(b"\xff\xd8fake-jpeg-bytes")
    assert (await minh.wait_reply()).text == "got a photo of 17 bytes"
    await lan.expect_silence(0.3)
    assert lan.all_texts() == ["echo: one", "your report"]


async def test_emulator_speaks_bot_api_like_telegram(emulator: Emulator, bot_token: str) -> None:
    """The launcher's fixes, checked on the raw Bot API without a bot process."""
    chat = {"id": 4242, "type": "private", "first_name": "Raw"}
    user = {"id": 4242, "is_bot": False, "first_name": "Raw"}
    async with httpx.AsyncClient(base_url=f"{emulator.bot_api_url}{bot_token}") as api:

        async def call(method: str, **params: object) -> httpx.Response:
            return await api.post(f"/{method}", json=params)

        me = (await call("getMe")).json()["result"]
        assert me["is_bot"] is True and me["id"] == int(bot_token.split(":")[0])

        sent = (await call("sendMessage", chat_id=4242, text="hi")).json()["result"]
        assert 1e9 < sent["date"] < 1e10  # seconds, not milliseconds
        assert sent["from"]["is_bot"] is True

        # Telegram's 400s that a careless bot meets in production.
        bad = await call("editMessageText", chat_id=4242, message_id=sent["message_id"], text="hi")
        assert bad.status_code == 400 and "message is not modified" in bad.json()["description"]
        bad = await call("sendMessage", chat_id=4242, text="x" * 4097)
        assert bad.json()["description"] == "Bad Request: message is too long"
        keyboard = {"inline_keyboard": [[{"text": "b", "callback_data": "é" * 33}]]}
        bad = await call("sendMessage", chat_id=4242, text="t", reply_markup=keyboard)
        assert bad.json()["description"] == "Bad Request: BUTTON_DATA_INVALID"
        assert (await call("sendSticker", chat_id=4242, sticker="x")).status_code == 500

        # An update stays until a later getUpdates confirms it with a higher offset.
        async with httpx.AsyncClient(base_url=emulator.url) as client:
            message = {"botToken": bot_token, "from": user, "chat": chat, "date": 1, "text": "t"}
            await client.post("/sendMessage", json=message)
        first = (await call("getUpdates")).json()["result"]
        again = (await call("getUpdates", offset=0)).json()["result"]
        assert [u["update_id"] for u in first] == [u["update_id"] for u in again] != []
        assert first[0]["message"]["text"] == "t" and "botToken" not in first[0]["message"]
        offset = first[-1]["update_id"] + 1
        assert (await call("getUpdates", offset=offset)).json()["result"] == []

        # Long polling: a waiting getUpdates returns as soon as an update arrives.
        poll = asyncio.create_task(call("getUpdates", offset=offset, timeout=5))
        await asyncio.sleep(0.2)
        assert not poll.done()
        async with httpx.AsyncClient(base_url=emulator.url) as client:
            await client.post("/sendMessage", json={**message, "text": "late"})
        late = (await asyncio.wait_for(poll, 2)).json()["result"]
        assert [u["message"]["text"] for u in late] == ["late"]
