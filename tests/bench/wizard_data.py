"""The wizard benchmark's members and stream: N people in two teams, one patrol dialog recorded
on the real bot, and every person's dialog as raw Telegram updates, round-robin over the chats.

Shared by tests/bench/wizard.py (one process) and tests/bench/wizard_procs.py (several
processes on one database, each taking the updates of its own chats).
"""

from __future__ import annotations

import copy
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.core.clock import ManualClock
from tests.bench.tally_data import GIVEN, MIDDLES  # the province bench's given and middle names
from tests.support.fakebot import FakeBotAPI, Sent, callback_update, text_update
from tests.support.harness import TEAM_A, TEAM_B, Harness, make_harness

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Nông",
    "Hoàng",
    "Lương",
    "Triệu",
    "Vi",
    "Lành",
    "Mã",
]
STARTS = ["19h", "19h30", "18:45", "20 giờ", "19:15"]
ENDS = ["21:30", "22h", "23h15", "21 giờ rưỡi", "22:40"]
ROUTES = [
    "Đường liên thôn Nà Lẹng",
    "Quốc lộ 1B, đoạn qua chợ Bắc Sơn",
    "Khu vực trường tiểu học và nhà văn hoá thôn",
    "Tuyến đường bê tông Khuôn Pinh - Nà Lẹng, cầu treo",
    "Bãi ngô ven suối, đường vào khu du lịch",
]
INCIDENTS = ["0", "0", "0", "1", "2"]


@dataclass
class Person:
    """One enrolled team member and the Telegram account they write from."""

    index: int
    user_id: int
    first: str
    last: str
    role: str
    team: str
    member_id: int = 0
    teammate_id: int = 0

    @property
    def full_name(self) -> str:
        return f"{self.first} {self.last}"


def make_people(n: int) -> list[Person]:
    """N people, alternately in TEAM_A and TEAM_B; each team's first two lead it."""
    people = []
    for i in range(n):
        surname = SURNAMES[i % len(SURNAMES)]
        middle = MIDDLES[(i // len(SURNAMES)) % len(MIDDLES)]
        given = GIVEN[(i * 7) % len(GIVEN)]
        team = TEAM_A if i % 2 == 0 else TEAM_B
        role = {0: "leader", 1: "leader", 2: "deputy", 3: "deputy"}.get(i, "member")
        people.append(Person(i, 5_100_000_000 + 7919 * i, surname, f"{middle} {given}", role, team))
    return people


def pick_teammates(people: list[Person]) -> None:
    """Everyone ticks the first team-mate of their roster (lowest member id but their own)."""
    for p in people:
        team = [q for q in people if q.team == p.team and q is not p]
        p.teammate_id = min(q.member_id for q in team) if team else 0


async def enrol(h: Harness, people: list[Person]) -> None:
    for p in people:
        p.member_id = await h.add_member(p.user_id, p.full_name, p.role, p.team)
    pick_teammates(people)


# ------------------------------------------------------------------ the dialog, recorded once

TypedText = Callable[[Person], str]
TEAMMATE = object()  # "press the button of my chosen team-mate"
MATE = "\x00mate\x00"  # in recorded callback data: the member id of the one who presses

# The patrol as the wizard asks it since issue 12: the date preset (the reporting day), the
# shift typed as one answer, the route, a team-mate ticked, the count, "helped with traffic"
# changed on the summary, sent. The clock stands late in the evening, after every shift.
DIALOG: list[tuple[str, Any]] = [
    ("send", "/baocao"),
    ("press", "Tuần tra"),
    ("send", lambda p: f"{STARTS[p.index % len(STARTS)]} - {ENDS[p.index % len(ENDS)]}"),
    ("send", lambda p: ROUTES[p.index % len(ROUTES)]),
    ("press", TEAMMATE),
    ("press", "Xong"),
    ("send", lambda p: INCIDENTS[p.index % len(INCIDENTS)]),
    ("press", "Có hỗ trợ giao thông"),
    ("press", "Gửi báo cáo"),
]
EVENING = datetime(2026, 11, 23, 23, 45)  # every typed shift (the latest ends 23:15) is over


@dataclass
class Step:
    """One update of the dialog: typed text, or a button press on a message like the one shown."""

    kind: str  # "send" | "press"
    typed: TypedText | None = None
    data: str = ""  # callback_data of the pressed button; MATE stands for a team-mate's id
    shown_text: str = ""  # the message the button was on, as the bot sent it
    shown_buttons: list[list[dict[str, str]]] = field(default_factory=list)


def _always(text: str) -> TypedText:
    return lambda _person: text


async def record_dialog(people: list[Person]) -> list[Step]:
    """Drive the first person through the dialog on a throw-away app and keep what was pressed.

    The callback data (today e.g. k:patrol, date=d:0, teammates=t:m<id>, nav:done, nav:submit)
    and the messages carrying the buttons come from the real bot, so the replayed stream keeps
    matching it when the forms or the callback format change.
    """
    with tempfile.TemporaryDirectory(prefix="antt-bench-rec-") as tmp:
        h = await make_harness(Path(tmp), clock=ManualClock(EVENING))
        try:
            await enrol(h, people)
            me = people[0]
            mate = next(q for q in people if q.member_id == me.teammate_id)
            user = h.user(me.user_id, me.first, me.last)
            steps: list[Step] = []
            for action, arg in DIALOG:
                if action == "send":
                    typed: TypedText = arg if callable(arg) else _always(str(arg))
                    await user.send(typed(me))
                    steps.append(Step("send", typed=typed))
                    continue
                label = mate.full_name if arg is TEAMMATE else str(arg)
                shown = user.last_with_buttons()
                data = next(
                    b["callback_data"] for row in shown.buttons for b in row if label in b["text"]
                )
                if arg is TEAMMATE:  # e.g. "teammates=t:m3": each person ticks their own mate
                    data, found = re.subn(rf"(?<!\d){mate.member_id}(?!\d)", MATE, data)
                    if found != 1:
                        raise SystemExit(f"cannot find member id {mate.member_id} in {data!r}")
                steps.append(
                    Step(
                        "press",
                        data=data,
                        shown_text=shown.text,
                        shown_buttons=copy.deepcopy(shown.buttons),
                    )
                )
                await user.press(label)
            saved = await h.count("SELECT COUNT(*) FROM reports WHERE kind = 'patrol'")
            if saved != 1:
                raise SystemExit(
                    f"recording the dialog failed: {saved} reports; last reply: {user.last_text!r}"
                )
            return steps
        finally:
            await h.close()


def build_stream(people: list[Person], steps: list[Step], api: FakeBotAPI) -> list[dict[str, Any]]:
    """Every person's dialog as raw updates, round-robin: step 1 of all chats, then step 2...

    A press carries the message it was made on; that message is registered in the fake so the
    bot's editMessageText finds it, as it would on Telegram.
    """
    message_ids = iter(range(50_000_000, 60_000_000))
    stream = []
    for step in steps:
        for p in people:
            if step.kind == "send":
                assert step.typed is not None
                stream.append(text_update(p.user_id, step.typed(p), p.first, p.last))
                continue
            data = step.data.replace(MATE, str(p.teammate_id))
            # The keyboard is shared, not copied: the fake replaces a message's buttons on
            # edit and never changes them in place.
            shown = Sent(p.user_id, next(message_ids), step.shown_text, step.shown_buttons)
            api.messages[(p.user_id, shown.message_id)] = shown
            stream.append(callback_update(p.user_id, shown, data, p.first))
    return stream
