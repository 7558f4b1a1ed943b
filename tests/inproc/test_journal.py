"""Updates fetched but never handled (process killed in between) are replayed at start-up."""

from __future__ import annotations

from pathlib import Path

from tests.support.fakebot import text_update
from tests.support.harness import TEAM_A, Harness, make_harness


async def test_fetched_update_survives_a_crash_before_handling(tmp_path: Path) -> None:
    h = await make_harness(tmp_path)
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    h.api.updates.append(text_update(1, "/khongcovuviec", update_id=5001))
    fetched = await h.channel.application.bot.get_updates()  # the real getUpdates path
    assert [u.update_id for u in fetched] == [5001]
    assert await h.count("SELECT COUNT(*) FROM inbound_journal") == 1
    assert await h.count("SELECT COUNT(*) FROM reports") == 0
    await h.close()  # the process dies before any handler ran

    h2 = await make_harness(tmp_path)
    assert await h2.channel.replay_journal() == 1
    assert await h2.count("SELECT COUNT(*) FROM reports WHERE kind = 'nil'") == 1
    assert "không có vụ việc" in h2.api.chat(1)[-1].text
    assert await h2.channel.replay_journal() == 0  # handled once, never again
    assert await h2.count("SELECT COUNT(*) FROM reports") == 1
    await h2.close()


async def test_handled_updates_are_not_replayed(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    update = text_update(1, "/khongcovuviec", update_id=6001)
    h.api.updates.append(update)
    await h.channel.application.bot.get_updates()
    await h.feed(update)
    assert await h.channel.replay_journal() == 0
    assert await h.count("SELECT COUNT(*) FROM reports") == 1
