"""Six weeks of made-up but plausible reports, so /thongke in the demo has something to count.

Deterministic (a fixed seed): the same demo shows the same figures, relative to the day it
was first started. Only days before today are filled, so today's reports are the user's own.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.core.clock import Clock, iso
from storage import incidents, reports
from storage.db import Tx

DAYS = 42


async def _file(
    tx: Tx,
    member: dict[str, Any],
    kind: str,
    day: date,
    at: datetime,
    data: dict[str, Any],
    mates: list[int] | None = None,
    ack: tuple[int, datetime] | None = None,
    steps: tuple[tuple[str, int, datetime, str | None], ...] = (),
) -> None:
    """One past report; an urgent one with its life: acknowledged, then each of `steps`
    (state, officer, when, note); a fire's "done" with the officer's in-time word."""
    number = await reports.next_number(tx, at.year)
    report_id = await reports.create(
        tx,
        number=number,
        member_id=int(member["id"]),
        unit_id=int(member["unit_id"]),
        kind=kind,
        report_date=day.isoformat(),
        data={"date": day.isoformat(), **data} if kind != "nil" else {},
        urgent=kind in {"tip", "fire_rescue"},
        now_iso=iso(at),
        edit_until_iso=iso(at),
    )
    await reports.set_participants(tx, report_id, mates or [])
    await reports.audit(tx, report_id, int(member["id"]), "create", None, data, iso(at))
    if kind in {"tip", "fire_rescue"}:
        await incidents.open_case(tx, report_id, int(member["id"]), iso(at), iso(at))
    if ack is not None:
        await reports.acknowledge(tx, report_id, ack[0], iso(ack[1]))
    for state, officer, when, note in steps:
        await incidents.move(tx, report_id, state, officer, iso(when), note=note)
        if state == "done":
            await incidents.confirm_fire(
                tx, report_id, officer, bool(data.get("in_time")), iso(when)
            )


async def seed_history(tx: Tx, clock: Clock, people: dict[str, dict[str, Any]]) -> int:
    """File DAYS days of reports for the demo's team members; returns how many."""
    rng = random.Random(2026)
    today = clock.now().date()
    tz = clock.tz
    reporters = [people[k] for k in ("an", "binh", "chau", "cuong")]
    count = 0
    for offset in range(DAYS, 0, -1):
        day = today - timedelta(days=offset)

        def at(hour: int, minute: int, next_day: bool = False, _day: date = day) -> datetime:
            """A local time on the report's day (or the morning after, for late ones)."""
            when = _day + timedelta(days=1) if next_day else _day
            return datetime.combine(when, time(hour, minute), tz)

        for person in reporters:
            roll = rng.random()
            if roll < 0.08:
                continue  # forgot that day
            if roll < 0.13:
                await _file(tx, person, "nil", day, at(7, 30, next_day=True), {})
            else:
                await _file(tx, person, "nil", day, at(19, rng.randint(0, 59)), {})
            count += 1
        if day.weekday() in (1, 5):  # Tuesday and Saturday night patrols
            leader, mate = (
                (people["binh"], people["an"])
                if day.weekday() == 1
                else (
                    people["cuong"],
                    people["cuong"],
                )
            )
            data = {
                "start": "19:30",
                "end": "21:30",
                "route": "Đường liên thôn",
                "teammates": [str(mate["id"])] if mate is not leader else [],
                "incidents": 0,
                "traffic_help": False,
            }
            mates = [mate["id"]] if mate is not leader else []
            await _file(tx, leader, "patrol", day, at(20, 45), data, mates)
            count += 1
        if offset in (30, 9):
            data = {"what": "Giúp bà con dựng lại mái nhà sau mưa bão", "for_whom": "Hộ cụ Lường"}
            await _file(tx, people["chau"], "good_deed", day, at(17, 10), data)
            count += 1
        if offset == 12:
            data = {
                "source": "residents",
                "kind": "dispute",
                "urgency": "normal",
                "place": "Chợ phiên",
                "what": "Hai nhóm thanh niên cãi nhau",
            }
            ack = (people["dung"]["id"], at(10, 25))
            officer = int(people["dung"]["id"])
            steps: tuple[tuple[str, int, datetime, str | None], ...] = (
                ("verifying", officer, at(11, 0), None),
                ("resolved", officer, at(16, 30), "Đã hòa giải tại nhà văn hóa thôn"),
            )
            await _file(tx, people["an"], "tip", day, at(10, 0), data, ack=ack, steps=steps)
            count += 1
        if offset == 20:
            data = {
                "kind": "fire",
                "place": "Nương rẫy thôn Khuôn Pinh",
                "mobilised": True,
                "in_time": True,
                "people_helped": 0,
                "outcome": "Đã dập tắt",
            }
            ack = (people["dung"]["id"], at(14, 40))
            steps = (("done", int(people["dung"]["id"]), at(17, 0), "Cháy 0,5 ha nương rẫy"),)
            await _file(
                tx, people["cuong"], "fire_rescue", day, at(14, 30), data, ack=ack, steps=steps
            )
            count += 1
        if offset == 15:
            data = {
                "households_informed": 110,
                "residence_helped": 3,
                "businesses_checked": 1,
                "business_violation": False,
                "weapons_handed_in": 0,
                "illegal_weapons": False,
            }
            await _file(tx, people["binh"], "admin_order", day, at(16, 0), data)
            count += 1
        if offset == 25:  # 4.2: a model the district police recognised (it stays in effect)
            data = {
                "activity": "model",
                "audience": 60,
                "topic": "Camera an ninh ở ngõ xóm",
                "model_name": "Camera an ninh",
                "model_level": "district",
            }
            await _file(tx, people["binh"], "outreach", day, at(9, 0), data)
            count += 1
    return count
