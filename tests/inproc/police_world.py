"""The people of the urgent-report tests: a reporter, the officers of their commune, of the
province and of another commune, and supervisors at the commune and at the level above.

The `people` fixture (tests/inproc/conftest.py) enrols them; `alert_of` finds a user's alert.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.support.fakebot import Sent
from tests.support.harness import (
    COMMUNE,
    OTHER_COMMUNE,
    PROVINCE,
    TEAM_A,
    TEAM_B,
    TEAM_C,
    Harness,
    TgUser,
)


@dataclass
class People:
    an: TgUser  # member, TEAM_A (reporter)
    cuong: TgUser  # officer, COMMUNE
    dung: TgUser  # officer, PROVINCE
    hai: TgUser  # officer, OTHER_COMMUNE
    lan: TgUser  # supervisor, COMMUNE (not the level above)
    son: TgUser  # supervisor, PROVINCE (the level above the commune)
    ids: dict[str, int]


async def enrol(h: Harness) -> People:
    """Everyone enrolled directly (user ids 1, 11-15), with their member ids by name."""
    ids = {
        "an": await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A),
        "cuong": await h.add_member(11, "Hoàng Văn Cường", "officer", COMMUNE),
        "dung": await h.add_member(12, "Lý Minh Dũng", "officer", PROVINCE),
        "hai": await h.add_member(13, "Vi Văn Hải", "officer", OTHER_COMMUNE),
        "lan": await h.add_member(14, "Đinh Thị Lan", "supervisor", COMMUNE),
        "son": await h.add_member(15, "Phạm Văn Sơn", "supervisor", PROVINCE),
    }
    return People(*(h.user(i) for i in (1, 11, 12, 13, 14, 15)), ids=ids)


@dataclass
class Teams:
    """Reporters in three teams of two communes, for lists of reports across an area."""

    an: TgUser  # member, TEAM_A
    binh: TgUser  # member, TEAM_B
    mai: TgUser  # member, TEAM_C (the other commune)
    cuong: TgUser  # officer, COMMUNE
    hai: TgUser  # officer, OTHER_COMMUNE
    lan: TgUser  # supervisor, COMMUNE


async def enrol_teams(h: Harness) -> Teams:
    """The reporters and their police enrolled directly (user ids 1-3, 11, 13, 14)."""
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(2, "Trần Thị Bình", "member", TEAM_B)
    await h.add_member(3, "Hà Thị Mai", "member", TEAM_C)
    await h.add_member(11, "Hoàng Văn Cường", "officer", COMMUNE)
    await h.add_member(13, "Vi Văn Hải", "officer", OTHER_COMMUNE)
    await h.add_member(14, "Đinh Thị Lan", "supervisor", COMMUNE)
    return Teams(*(h.user(i) for i in (1, 2, 3, 11, 13, 14)))


def alert_of(user: TgUser) -> Sent:
    """The one first alert this user got (a reminder of the ladder starts otherwise)."""
    found = [m for m in user.messages if m.text.startswith("🚨 BÁO CÁO KHẨN:")]
    assert len(found) == 1, [m.text for m in user.messages]
    return found[0]
