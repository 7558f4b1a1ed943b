"""A kill -9 between the platform's answer and the outbox mark, simulated in-process.

The platform accepts m1 while a dialog's transaction holds the database and other work is
queued behind it; m2's answer is still on the wire. The "kill" strikes the moment any of the
queued work gets the database: the file is copied as it stands (what a killed process would
leave) and a new bot is started on the copy. Only m2, whose answer never arrived, may be sent
again; m1's mark went first.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.harness import Harness, make_harness

# SQLite's own machinery: the database file is copied and read as a file
pytestmark = pytest.mark.sqlite_only


class Scene:
    """The moments the test lines up, and what the kill found."""

    def __init__(self) -> None:
        self.send_task: asyncio.Task[Any] | None = None  # the send whose answer came back
        self.dialog_started = asyncio.Event()
        self.queued = asyncio.Event()
        self.mark_asked = asyncio.Event()
        self.release = asyncio.Event()
        self.killed = asyncio.Event()
        self.wire = asyncio.Event()  # m2's answer stays on the wire until after the kill
        self.tasks: list[asyncio.Task[None]] = []
        self.statuses: dict[str, str] = {}


def _snapshot(db_path: str, copy: Path) -> dict[str, str]:
    """Copy the database as committed this instant; the outbox statuses in the copy."""
    source, target = sqlite3.connect(db_path), sqlite3.connect(copy)
    try:
        source.backup(target)
        rows = target.execute("SELECT dedupe_key, status FROM outbox").fetchall()
    finally:
        source.close()
        target.close()
    return {str(key): str(status) for key, status in rows}


def _stage(h: Harness, scene: Scene, copy: Path) -> None:
    """Hook the fake Bot API and the database so the moments happen in the scene's order."""
    db = h.db
    answer = h.api._answer

    async def dialog() -> None:
        async with db.transaction() as tx:
            await tx.execute("SELECT COUNT(*) FROM reports")
            scene.dialog_started.set()
            await scene.release.wait()

    async def queued_work() -> None:  # e.g. the journal of the next update: the kill strikes
        scene.queued.set()
        async with db.transaction():
            scene.statuses = _snapshot(db.path, copy)
            scene.killed.set()

    async def release_when_the_mark_waits() -> None:
        await scene.mark_asked.wait()
        await asyncio.sleep(0)  # the mark is in the queue now
        scene.release.set()

    async def hooked(api_method: str, params: dict[str, Any]) -> Any:
        result = await answer(api_method, params)  # accepted and recorded as delivered
        if api_method == "sendMessage" and params["text"] == "tin m1":
            scene.send_task = asyncio.current_task()
            for work, ready in ((dialog, scene.dialog_started), (queued_work, scene.queued)):
                scene.tasks.append(asyncio.create_task(work()))
                await ready.wait()
            scene.tasks.append(asyncio.create_task(release_when_the_mark_waits()))
        if api_method == "sendMessage" and params["text"] == "tin m2":
            await scene.wire.wait()
        return result

    def spy(name: str) -> None:
        original: Callable[..., Any] = getattr(db, name)

        def opened(*args: Any, **kwargs: Any) -> Any:
            if asyncio.current_task() is scene.send_task:
                scene.mark_asked.set()
            return original(*args, **kwargs)

        setattr(db, name, opened)

    h.api._answer = hooked  # type: ignore[method-assign]
    for name in ("transaction", "single"):
        if hasattr(db, name):
            spy(name)


async def test_a_kill_after_the_answer_resends_only_what_was_on_the_wire(
    tmp_path: Path, h: Harness
) -> None:
    await h.enqueue("m1", 1)
    await h.enqueue("m2", 2)
    scene = Scene()
    copy = tmp_path / "after-kill.sqlite3"
    _stage(h, scene, copy)
    drain = asyncio.create_task(h.drain())
    await scene.killed.wait()
    assert scene.statuses == {"m1": "sent", "m2": "sending"}
    scene.wire.set()  # let the first bot finish, as if nothing happened (its file is not used)
    await drain
    await asyncio.gather(*scene.tasks)

    restarted = tmp_path / "restarted"
    restarted.mkdir()
    shutil.copy(copy, restarted / "bot.sqlite3")
    h2 = await make_harness(restarted)
    try:
        assert await h2.sender.recover() == 1
        await h2.drain()
        assert [m.text for m in h2.api.sent] == ["tin m2"]  # m1 is not sent twice
        assert await h2.count("SELECT COUNT(*) FROM outbox WHERE status = 'sent'") == 2
    finally:
        await h2.close()
