"""In-process tests of Telegram's command list: what the channel is given is what it sets,
the default list without a language and each other list with its language code."""

from __future__ import annotations

import json
from typing import Any

from bot.channels.telegram import TelegramChannel
from handlers.commands import telegram_list
from tests.support.fakebot import FakeBotAPI
from tests.support.harness import Harness


def _commands(params: dict[str, Any]) -> list[tuple[str, str]]:
    raw = params["commands"]
    items = json.loads(raw) if isinstance(raw, str) else raw
    return [(c["command"], c["description"]) for c in items]


async def test_the_channel_sets_the_lists_it_is_given(h: Harness) -> None:
    texts = h.runtime.services.texts
    vi, en = telegram_list(texts, "vi"), telegram_list(texts, "en")
    api = FakeBotAPI()
    channel = TelegramChannel(
        h.config,
        h.runtime.engine,
        request=api,
        updates_request=api,
        rate_limit=False,
        commands=vi,
        commands_by_language={"en": en},
    )
    await channel.application.initialize()
    try:
        assert await channel.announce_commands()
    finally:
        await channel.application.shutdown()
    calls = [params for method, params in api.calls if method == "setMyCommands"]
    assert [_commands(p) for p in calls] == [vi, en]
    assert "language_code" not in calls[0] and calls[1]["language_code"] == "en"
    assert _commands(calls[0])[0] == ("baocao", "Gửi báo cáo")
    assert _commands(calls[1])[0] == ("report", "Send a report")
