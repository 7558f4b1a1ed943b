"""A poison update (its handling raises every time) is counted across restarts, the user
hears of it once, and after [inbound] max_attempts it is set aside instead of replayed
forever; the journal and the update ids are pruned while the bot runs, not only at start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import background_jobs
from bot.channels.maintenance import prune_inbound
from handlers import router
from tests.inproc.helpers import INTERNAL_ERROR, one, rows
from tests.support import backend
from tests.support.fakebot import text_update
from tests.support.harness import TEAM_A, Harness, make_harness


async def _poison(ctx: object) -> None:
    raise RuntimeError("a bug that fires on every run of this update")


async def journal_and_crash(h: Harness, update_id: int, text: str) -> None:
    """The real getUpdates path journals the update; the process dies before handling."""
    h.api.updates.append(text_update(1, text, update_id=update_id))
    await h.channel.application.bot.get_updates()


async def test_a_poison_update_is_set_aside_after_three_attempts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(router.COMMANDS, "baocaocuatoi", _poison)
    h = await make_harness(tmp_path)
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await journal_and_crash(h, 7001, "/baocaocuatoi")
    await journal_and_crash(h, 7002, "/khongcovuviec")  # an ordinary update behind it
    await h.close()

    for start in (1, 2, 3):  # three starts: each replays the update, which fails again
        h = await make_harness(tmp_path)
        replayed = await h.channel.replay_journal()
        assert replayed == (2 if start == 1 else 1)
        failure = await one(h, "SELECT attempts, set_aside_at FROM update_failures")
        assert failure["attempts"] == start
        assert (failure["set_aside_at"] is not None) == (start == 3)
        said = [m.text for m in h.api.chat(1)]
        assert said.count(INTERNAL_ERROR + " Vui lòng gửi lại sau ít phút.") == (
            1 if start == 1 else 0
        )  # told once, at the first failure
        await h.close()

    h = await make_harness(tmp_path)
    assert await h.channel.replay_journal() == 0  # set aside: never run again
    assert await h.count("SELECT COUNT(*) FROM reports WHERE kind = 'nil'") == 1
    kept = await rows(h, "SELECT update_key FROM inbound_journal")
    assert {r["update_key"] for r in kept} >= {"7001"}  # kept for the operator
    await h.feed(text_update(1, "/baocaocuatoi", update_id=7001))  # Telegram redelivers it
    assert h.api.chat(1) == []
    await h.close()


async def test_a_live_failure_tells_the_user_once_and_a_later_success_clears_it(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    user = h.user(1)
    monkeypatch.setitem(router.COMMANDS, "menu", _poison)
    replies = await user.send("/menu")
    assert [r.text.startswith(INTERNAL_ERROR) for r in replies] == [True]
    assert await h.count("SELECT COUNT(*) FROM update_failures") == 1
    monkeypatch.undo()
    replies = await user.send("/menu")
    assert "📝 Báo cáo" in replies[0].labels()
    await prune_inbound(h.runtime.services)
    assert await h.count("SELECT COUNT(*) FROM update_failures") == 1  # nothing to replay it
    h.clock.advance(days=2, minutes=1)
    await prune_inbound(h.runtime.services)  # ... so it is forgotten with the journal's age
    assert await h.count("SELECT COUNT(*) FROM update_failures") == 0


async def test_the_journal_and_update_ids_are_pruned_while_running(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    for update_id in range(8001, 8011):
        update = text_update(1, "/menu", update_id=update_id)
        h.api.updates.append(update)
        await h.channel.application.bot.get_updates()
        await h.feed(update)
    assert await h.count("SELECT COUNT(*) FROM inbound_journal") == 10
    assert await h.count("SELECT COUNT(*) FROM processed_updates") == 10
    h.clock.advance(days=2, minutes=1)
    assert (await prune_inbound(h.runtime.services))["journal"] == 10
    assert await h.count("SELECT COUNT(*) FROM processed_updates") == 10  # ids live longer
    h.clock.advance(days=5)
    assert (await prune_inbound(h.runtime.services))["update_ids"] == 10
    assert await h.count("SELECT COUNT(*) FROM processed_updates") == 0


def test_pruning_is_a_background_job_of_the_running_bot(h: Harness) -> None:
    jobs = {job.name: job.seconds for job in background_jobs(h.runtime.services)}
    assert jobs["inbound-prune"] == 60 * 60  # [inbound] prune_every_minutes = 60


async def test_set_aside_updates_are_deleted_after_keep_failed_days(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h.config.inbound.max_attempts = 1
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    monkeypatch.setitem(router.COMMANDS, "menu", _poison)
    update = text_update(1, "/menu", update_id=9001)
    h.api.updates.append(update)
    await h.channel.application.bot.get_updates()
    await h.feed(update)
    assert (await one(h, "SELECT set_aside_at FROM update_failures"))["set_aside_at"]
    h.clock.advance(days=29)
    await prune_inbound(h.runtime.services)
    assert await h.count("SELECT COUNT(*) FROM inbound_journal") == 1  # still kept
    h.clock.advance(days=2)
    await prune_inbound(h.runtime.services)
    assert await h.count("SELECT COUNT(*) FROM inbound_journal") == 0
    assert await h.count("SELECT COUNT(*) FROM update_failures") == 0


async def test_the_operator_lists_failed_updates(
    h: Harness, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    h.config.inbound.max_attempts = 1
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    monkeypatch.setitem(router.COMMANDS, "menu", _poison)
    await h.feed(text_update(1, "/menu", update_id=9101))
    config = tmp_path / "config.toml"
    config.write_text(
        f"[database]\n{backend.toml(str(tmp_path / 'bot.sqlite3'))}\n", encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "updates"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Set aside after 3 failures, never run again (newest first): 1" in out
    assert "telegram  9101 (not journaled)  1" in out and "RuntimeError" in out
    assert "Failing, run again at the next start (newest first): 0" in out
    assert "Nguyễn Văn An" not in out and "/menu" not in out
