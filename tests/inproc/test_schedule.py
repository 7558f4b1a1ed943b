"""Scheduled reminders through the real application: each planner at its slot, leave,
quiet hours, catch-up inside and outside the grace, and exactly-once across restarts.

Time is the harness's manual clock; `Planning.tick` is what APScheduler calls at each slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from bot.core.clock import ManualClock, iso
from bot.core.config import Config
from bot.schedule.planners import jobs_from
from bot.schedule.scheduler import Planning
from storage import outbox
from tests.inproc.helpers import file_fire
from tests.support import backend
from tests.support.harness import (
    COMMUNE,
    OTHER_COMMUNE,
    PROVINCE,
    START,
    TEAM_A,
    TEAM_B,
    Harness,
    TgUser,
    make_harness,
)

REMINDER = "🔔 Nhắc báo cáo ngày 23/11/2026"
SECOND = "⏰ Còn 30 phút nữa là hết hạn báo cáo ngày 23/11/2026 (21:00)."
DIGEST = "📋 Thôn Nà Lẹng — báo cáo ngày 23/11/2026 (hạn 21:00)"


@dataclass
class Team:
    h: Harness
    planning: Planning
    an: TgUser  # member, team A: files nothing unless a test says so
    binh: TgUser  # leader, team A
    chau: TgUser  # member, team A
    dao: TgUser  # member, team A, on leave today
    em: TgUser  # member, team B
    cuong: TgUser  # officer, commune
    hai: TgUser  # officer, other commune
    lan: TgUser  # supervisor, province
    ids: dict[str, int]

    def at(self, hour: int, minute: int = 0, day: int = 23, month: int = 11) -> datetime:
        """Set the clock to a moment of November 2026 (local time) and return it."""
        moment = datetime(2026, month, day, hour, minute, tzinfo=self.h.clock.tz)
        self.h.clock.set(moment)
        return moment

    async def tick_and_drain(self) -> int:
        """What the running bot does at a slot: plan, then deliver what is due."""
        queued = await self.planning.tick()
        await self.h.drain()
        return queued


def texts(user: TgUser, start: str) -> list[str]:
    """Messages a user received that start with `start`."""
    return [m.text for m in user.messages if m.text.startswith(start)]


async def add_leave(h: Harness, member_id: int, start: str, end: str) -> None:
    """Record leave directly (the /nghiphep dialog has its own tests)."""
    async with h.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO leaves (member_id, start_date, end_date, reason, recorded_by, created_at)"
            " VALUES (?, ?, ?, 'sick', ?, ?)",
            (member_id, start, end, member_id, iso(h.clock.now())),
        )


async def build(h: Harness) -> Team:
    """A commune with two teams, their officers, and a supervisor over the province."""
    ids = {
        "an": await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A),
        "binh": await h.add_member(2, "Trần Thị Bình", "leader", TEAM_A),
        "chau": await h.add_member(3, "Hoàng Minh Châu", "member", TEAM_A),
        "dao": await h.add_member(4, "Lò Văn Đào", "member", TEAM_A),
        "em": await h.add_member(5, "Vi Thị Em", "member", TEAM_B),
        "cuong": await h.add_member(11, "Hoàng Văn Cường", "officer", COMMUNE),
        "hai": await h.add_member(13, "Vi Văn Hải", "officer", OTHER_COMMUNE),
        "lan": await h.add_member(14, "Đinh Thị Lan", "supervisor", PROVINCE),
    }
    await add_leave(h, ids["dao"], "2026-11-23", "2026-11-24")
    planning = Planning(h.runtime.services, jobs_from(h.config, h.clock.tz))
    users = [h.user(uid) for uid in (1, 2, 3, 4, 5, 11, 13, 14)]
    return Team(h, planning, *users, ids)


@pytest.fixture
async def team(h: Harness) -> Team:
    return await build(h)


async def test_the_evening_reminder_goes_only_to_members_who_owe_a_report(team: Team) -> None:
    await team.an.send("/khongcovuviec")  # filed: no reminder
    team.at(18, 59)
    assert await team.tick_and_drain() == 0
    team.at(19, 0)
    await team.tick_and_drain()
    reminded = {
        u.id for u in (team.an, team.binh, team.chau, team.dao, team.em) if texts(u, REMINDER)
    }
    assert reminded == {team.binh.id, team.chau.id, team.em.id}  # not An (filed), not Đào (leave)
    for officer in (team.cuong, team.hai, team.lan):
        assert not texts(officer, "🔔")
    reminder = team.chau.messages[-1]
    assert reminder.text == (
        f"{REMINDER}\nChào Hoàng Minh Châu, hôm nay bạn chưa gửi báo cáo nào. Hạn chót là "
        "21:00.\nCó việc thì chọn 📝 Báo cáo; nếu hôm nay không có gì, chọn ✅ Không có vụ việc"
        " — chỉ một lần chọn là xong."
    )
    assert reminder.labels() == ["📝 Báo cáo", "✅ Không có vụ việc"]
    replies = await team.chau.press("Không có vụ việc", on=reminder)
    assert replies[0].text.startswith("✅ Đã ghi nhận: ngày 23/11/2026 không có vụ việc")
    pressed = await team.binh.press("Báo cáo", on=texts_message(team.binh, REMINDER))
    assert "📝 Bạn muốn báo cáo việc gì?" in pressed[-1].text

    team.at(20, 30)
    await team.tick_and_drain()
    assert [len(texts(u, SECOND)) for u in (team.an, team.binh, team.chau, team.dao, team.em)] == [
        0,
        1,
        0,
        0,
        1,
    ]


def texts_message(user: TgUser, start: str):  # type: ignore[no-untyped-def]
    """The message itself (for pressing its buttons)."""
    return next(m for m in user.messages if m.text.startswith(start))


async def test_a_slot_planned_twice_or_after_a_restart_sends_once(
    tmp_path: Path, team: Team
) -> None:
    team.at(19, 0)
    await team.tick_and_drain()
    await team.tick_and_drain()
    again = Planning(team.h.runtime.services, jobs_from(team.h.config, team.h.clock.tz))
    assert await again.tick() == 0
    await team.h.drain()
    assert len(texts(team.binh, REMINDER)) == 1
    assert await team.h.count("SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'remind:%'") == 4
    assert (
        await team.h.count(
            "SELECT COUNT(*) FROM schedule_slots WHERE job = 'remind' AND outcome = 'planned'"
        )
        == 1
    )


async def restart(tmp_path: Path, old: Harness, when: datetime) -> tuple[Harness, Planning]:
    """Kill the bot without delivering anything and start a new one on the same database."""
    await old.close()
    h = await make_harness(tmp_path, ManualClock(when), old.config)
    return h, Planning(h.runtime.services, jobs_from(h.config, h.clock.tz))


async def test_a_kill_between_planning_and_sending_sends_each_reminder_exactly_once(
    tmp_path: Path, h: Harness
) -> None:
    team = await build(h)
    team.at(19, 0)
    assert await team.planning.tick() == 4  # queued, then the process dies before sending
    assert team.h.api.sent == []
    h2, planning = await restart(tmp_path, h, datetime(2026, 11, 23, 19, 2))
    assert await planning.tick() == 0  # the slot is recorded: nothing planned again
    await h2.drain()
    for uid in (1, 2, 3, 5):
        assert len([m for m in h2.api.chat(uid) if m.text.startswith(REMINDER)]) == 1
    await h2.close()


async def test_a_kill_between_claiming_and_sending_resends_exactly_once(
    tmp_path: Path, h: Harness
) -> None:
    team = await build(h)
    team.at(19, 0)
    await team.planning.tick()
    async with h.db.transaction() as tx:  # the sender claimed the rows, then the kill came
        rows = await tx.fetchall("SELECT id FROM outbox WHERE status = 'pending'")
        ids = [int(row["id"]) for row in rows]
        assert await outbox.claim(tx, ids) == set(ids)
    h2, planning = await restart(tmp_path, h, datetime(2026, 11, 23, 19, 1))
    assert await h2.drain() == 0  # claimed rows wait for recovery, they are not lost
    assert await h2.sender.recover() == 4
    await h2.drain()
    for uid in (1, 2, 3, 5):
        assert len([m for m in h2.api.chat(uid) if m.text.startswith(REMINDER)]) == 1
    assert await h2.count("SELECT COUNT(*) FROM outbox WHERE status = 'sent'") == 4
    await h2.close()


async def test_after_downtime_slots_inside_the_grace_are_caught_up_and_older_ones_skipped(
    tmp_path: Path, h: Harness
) -> None:
    team = await build(h)
    team.at(9, 5)
    await team.tick_and_drain()  # the bot runs in the morning, then goes down
    h2, planning = await restart(tmp_path, h, datetime(2026, 11, 24, 20, 0))
    await planning.tick()
    await h2.drain()
    slots = await backend.rows(
        h2.db, "SELECT job, slot, outcome FROM schedule_slots ORDER BY slot, job"
    )
    outcomes = {(job, slot[:16]): outcome for job, slot, outcome in slots}
    assert outcomes[("remind", "2026-11-23T19:00")] == "skipped"  # 25 h late
    assert outcomes[("digest", "2026-11-23T21:05")] == "skipped"
    assert outcomes[("notices", "2026-11-24T07:00")] == "skipped"  # 13 h late
    assert outcomes[("remind", "2026-11-24T19:00")] == "planned"  # 1 h late: caught up
    reminded = [m.text for m in h2.api.chat(2)]
    assert len(reminded) == 1 and reminded[0].startswith("🔔 Nhắc báo cáo ngày 24/11/2026")
    await h2.close()


async def test_a_short_grace_skips_the_missed_reminder_but_plans_the_next_slot(
    tmp_path: Path,
) -> None:
    config = Config.model_validate({"reminders": {"grace_hours": 1}})
    h = await make_harness(tmp_path, ManualClock(START), config)
    team = await build(h)
    team.at(18, 0)
    await team.tick_and_drain()
    team.at(20, 30)  # down from 18:00 to 20:30: 19:00 is 1.5 h late
    await team.tick_and_drain()
    assert texts(team.binh, REMINDER) == []
    assert len(texts(team.binh, SECOND)) == 1
    await h.close()


async def test_quiet_hours_hold_the_digest_until_morning_but_never_an_alert(
    tmp_path: Path, h: Harness
) -> None:
    team = await build(h)
    team.at(18, 0)
    await team.tick_and_drain()
    h2, planning = await restart(tmp_path, h, datetime(2026, 11, 23, 23, 0))
    await planning.tick()  # the digest slot (21:05) is 2 h late: inside the grace
    await h2.drain()
    assert h2.api.chat(2) == []  # quiet hours: the leader's digest waits
    officer, reporter = h2.user(11), h2.user(1)
    await file_fire(reporter)
    await h2.drain()
    assert [m.text for m in officer.messages if m.text.startswith("🚨")]  # urgent: at once
    h2.clock.set(datetime(2026, 11, 24, 6, 29, tzinfo=h2.clock.tz))
    await h2.drain()
    assert h2.api.chat(2) == []
    h2.clock.set(datetime(2026, 11, 24, 6, 30, tzinfo=h2.clock.tz))
    await h2.drain()
    digest = [m.text for m in h2.api.chat(2)]
    assert len(digest) == 1 and digest[0].startswith(DIGEST), digest
    await h2.close()


async def test_the_leader_gets_who_has_not_reported_and_who_is_on_leave(team: Team) -> None:
    await team.an.send("/khongcovuviec")
    team.at(21, 5)
    await team.tick_and_drain()
    [digest] = texts(team.binh, DIGEST)
    assert digest == (
        f"{DIGEST}\n❗ Chưa báo cáo: 2/3 người\n  • Hoàng Minh Châu\n  • Trần Thị Bình\n"
        "🏖 Nghỉ phép, không tính thiếu: 1 người\n  • Lò Văn Đào\n\n"
        "Bạn hãy nhắc trực tiếp những người chưa báo cáo; báo cáo gửi muộn vẫn được nhận"
        " nhưng tính là muộn."
    )
    for user in (team.an, team.chau, team.em, team.cuong):
        assert not texts(user, "📋")
