"""The people and dialogs of the alert latency benchmark (tests/bench/alert_latency.py).

Members sit in village teams spread over communes; most walk the wizard benchmark's patrol,
every n-th files a tip marked "Khẩn cấp" or a fire instead. A dialog is a list of steps:
("send", text) or ("press", part of a button's label), either possibly a function of the
person; the driver presses on the latest message with buttons in the member's chat.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from tests.bench.wizard_data import GIVEN, INCIDENTS, MIDDLES, ROUTES, SURNAMES

PROVINCE = "Tỉnh Lạng Sơn"

Step = tuple[str, Any]  # ("send", text or fn(person)) | ("press", label or fn(person))
SHIFTS = ["18h - 20h30", "19:00 - 21:00", "18:30 - 20 giờ", "19h - 20h45"]  # over by 21:05
PATROL: list[Step] = [
    ("send", "/baocao"),
    ("press", "Tuần tra"),
    ("send", lambda p: SHIFTS[p.index % len(SHIFTS)]),
    ("send", lambda p: ROUTES[p.index % len(ROUTES)]),
    ("press", lambda p: p.mate),
    ("press", "Xong"),
    ("send", lambda p: INCIDENTS[p.index % len(INCIDENTS)]),
    ("press", "Có hỗ trợ giao thông"),
    ("press", "Gửi báo cáo"),
]
TIP: list[Step] = [
    ("send", "/baocao"),
    ("press", "Tin báo ANTT"),
    ("press", "Người dân báo"),
    ("press", "An ninh, trật tự"),
    ("press", "Khẩn cấp"),  # urgent: a normal tip may be held for the morning
    ("send", "Bãi đất trống sau chợ Bắc Sơn"),
    ("send", "Hai người lạ đi xe máy không biển số, dò hỏi nhà vắng chủ."),
    ("press", "Gửi báo cáo"),
]
FIRE: list[Step] = [
    ("send", "/baocao"),
    ("press", "PCCC"),
    ("press", "Cháy"),
    ("send", "Nhà kho cạnh trường tiểu học thôn"),
    ("press", "Có"),
    ("press", "Có"),
    ("send", "0"),
    ("send", "Đã dập tắt, không ai bị thương."),
    ("press", "Gửi báo cáo"),
]


@dataclass
class Person:
    """One enrolled member, the Telegram account they write from and the dialog they walk."""

    index: int
    user_id: int
    name: str
    team: str
    dialog: list[Step]
    member_id: int = 0
    mate: str = ""  # the team-mate they tick in a patrol

    @property
    def urgent(self) -> bool:
        return self.dialog is not PATROL


def make_people(args: argparse.Namespace) -> tuple[list[Person], list[str]]:
    """Members in village teams spread over the communes; every n-th files a tip or a fire."""
    communes = [f"{PROVINCE}/Xã Số {c + 1}" for c in range(args.communes)]
    people = []
    urgent = 0
    for i in range(args.members):
        name = (
            f"{SURNAMES[i % len(SURNAMES)]} {MIDDLES[(i // len(SURNAMES)) % len(MIDDLES)]} "
            f"{GIVEN[(i * 7) % len(GIVEN)]}"
        )
        team_no = i // args.team_size
        team = f"{communes[team_no % len(communes)]}/Thôn {team_no + 1}"
        dialog = PATROL
        if args.urgent_every and i % args.urgent_every == args.urgent_every - 1:
            dialog = TIP if urgent % 2 == 0 else FIRE
            urgent += 1
        people.append(Person(i, 6_100_000_000 + 7919 * i, name, team, dialog))
    for p in people:
        mates = [q for q in people if q.team == p.team and q is not p]
        p.mate = mates[0].name if mates else ""
    return people, communes
