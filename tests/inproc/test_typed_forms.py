"""Typed answers as people write them (issue 12, item 3), on Telegram and on Zalo.

A custom form ("drill") has every typed kind, so these tests never step through the patrol
wizard (another change reshapes it): a date, a time, team-mates, a count and a short text.
"""

from __future__ import annotations

import importlib.resources
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.channels.zalo import ZaloChannel
from bot.core.config import Config, ReportsSection
from bot.core.parsing import split_list
from bot.outbox.sender import SendPolicy
from tests.support.fakezalo import FakeZalo, SentMessage, ZaloUser
from tests.support.harness import TEAM_A, Harness, make_harness

DRILL = """

[[categories]]
key = "drill"
icon = "🧯"
label = { vi = "Diễn tập", en = "Drill" }

[[categories.fields]]
key = "date"
type = "date"
label = { vi = "Ngày", en = "Date" }

[[categories.fields]]
key = "start"
type = "time"
label = { vi = "Giờ bắt đầu", en = "Start" }
prompt = { vi = "Bắt đầu lúc mấy giờ?", en = "Start time?" }

[[categories.fields]]
key = "mates"
type = "multi_choice"
choices_from = "team"
label = { vi = "Cùng đi", en = "With" }

[[categories.fields]]
key = "count"
type = "integer"
minimum = 0
maximum = 50
label = { vi = "Số người dân", en = "Residents" }

[[categories.fields]]
key = "note"
type = "text"
max_length = 20
label = { vi = "Ghi chú", en = "Note" }

[[categories]]
key = "walk"
icon = "🚶"
label = { vi = "Đi bộ", en = "Walk" }

[[categories.fields]]
key = "mates"
type = "multi_choice"
choices_from = "team"
required = false
label = { vi = "Cùng đi", en = "With" }
"""


def drill_config(tmp_path: Path) -> Config:
    default = (importlib.resources.files("bot.reports") / "default_forms.toml").read_text("utf-8")
    forms_file = tmp_path / "forms.toml"
    forms_file.write_text(default + DRILL, encoding="utf-8")
    return Config(reports=ReportsSection(forms_file=str(forms_file)))


async def saved(h: Harness) -> list[dict[str, object]]:
    async with h.db.read() as tx:
        found = await tx.fetchall("SELECT data FROM reports WHERE kind = 'drill'")
    return [json.loads(r["data"]) for r in found]


# ---------------------------------------------------------------------------
# Telegram
# ---------------------------------------------------------------------------


@pytest.fixture
async def th(tmp_path: Path) -> AsyncIterator[Harness]:
    h = await make_harness(tmp_path, config=drill_config(tmp_path))
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(2, "Trần Thị Bình", "member", TEAM_A)
    await h.add_member(3, "Lê Văn Bình", "member", TEAM_A)
    await h.add_member(4, "Hoàng Thị Lan", "member", TEAM_A)
    yield h
    await h.close()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("19h", "19:00"),
        ("19h30", "19:30"),
        ("7 giờ tối", "19:00"),
        ("8h sáng", "08:00"),
        ("7:30 tối", "19:30"),
        ("7 giờ rưỡi", "07:30"),
        ("12 giờ đêm", "00:00"),
        ("12h trưa", "12:00"),
    ],
)
async def test_times_on_telegram(th: Harness, typed: str, stored: str) -> None:
    an = th.user(1)
    await an.send("/baocao")
    await an.press("Diễn tập")
    await an.press("Hôm nay")
    await an.send(typed)
    assert "Bước 3/5" in an.last_text, an.last_text
    state = json.loads(
        (await _one(th, "SELECT state FROM conversations WHERE channel = 'telegram'"))["state"]
    )
    assert state["answers"]["start"] == stored


async def test_a_future_date_is_refused_as_in_the_future(th: Harness) -> None:
    an = th.user(1)
    await an.send("/baocao")
    await an.press("Diễn tập")
    replies = await an.send("30/12")  # today is 23/11/2026
    assert replies[-1].text.startswith("⚠️ Ngày báo cáo không được ở tương lai."), replies[-1].text
    assert "7 ngày" not in replies[-1].text
    replies = await an.send("01/11")
    assert replies[-1].text.startswith("⚠️ Chỉ được báo cáo cho 7 ngày gần đây.")


async def test_a_whole_drill_typed_on_telegram(th: Harness) -> None:
    an = th.user(1)
    await an.send("/baocao")
    await an.press("Diễn tập")
    await an.send("hôm qua")
    await an.send("7 giờ tối")
    replies = await an.send("binh")  # two people have Bình in their name: named, not guessed
    assert replies[-1].text.startswith(
        "⚠️ “binh” trùng với nhiều người (mục): Trần Thị Bình, Lê Văn Bình."
    ), replies[-1].text
    assert "Bước 3/5" in replies[-1].text
    replies = await an.send("thị bình và lan")  # a list: the whole answer, one message
    assert "Bước 4/5" in replies[-1].text, replies[-1].text
    replies = await an.send("không biết")
    assert replies[-1].text.startswith("⚠️ Vui lòng gõ một số, ví dụ: 3.")
    await an.send("mười lăm")
    assert "Bước 5/5" in an.last_text
    replies = await an.send("Diễn tập tại nhà văn hóa thôn")  # 29 characters, limit 20
    text = replies[-1].text
    assert text.startswith("⚠️ Câu trả lời dài 29 ký tự, quá giới hạn 20 ký tự"), text
    assert "“hóa thôn”" in text and "Chưa có gì được lưu." in text
    assert replies[-1].labels()[:2] == ["✂️ Gửi phần đã cắt", "✏️ Gõ lại"]
    assert await saved(th) == []
    await an.press("Gõ lại")  # the offer is edited back into the plain question
    assert an.last_text.startswith("🧯 Diễn tập · Bước 5/5"), an.last_text
    assert "✂️ Gửi phần đã cắt" not in an.messages[-1].labels()
    await an.send("Diễn tập tại nhà văn hóa thôn")
    await an.press("Gửi phần đã cắt")
    assert "📋 Xem lại báo cáo:" in an.last_text
    await an.press("Gửi báo cáo")
    [data] = await saved(th)
    assert data["date"] == "2026-11-22" and data["start"] == "19:00"
    assert data["count"] == 15 and data["note"] == "Diễn tập tại nhà văn"
    names = await _names(th, data["mates"])
    assert names == ["Trần Thị Bình", "Hoàng Thị Lan"]


async def _one(h: Harness, sql: str) -> dict[str, object]:
    async with h.db.read() as tx:
        row = await tx.fetchone(sql)
    assert row is not None
    return dict(row)


async def _names(h: Harness, ids: object) -> list[str]:
    assert isinstance(ids, list)
    async with h.db.read() as tx:
        return [
            str((await tx.fetchone("SELECT full_name FROM members WHERE id = ?", (i,)))[0])
            for i in ids
        ]


# ---------------------------------------------------------------------------
# Zalo (text only: every choice is a numbered line)
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeZalo]:
    server = FakeZalo().start()
    yield server
    server.stop()


class Z:
    """A Zalo channel on the fake, in the drill application."""

    def __init__(self, h: Harness, fake: FakeZalo, token: str, channel: ZaloChannel) -> None:
        self.h, self.fake, self.token, self.channel = h, fake, token, channel
        self.sender = h.runtime.add_channel(channel, SendPolicy())

    async def say(self, user: ZaloUser, text: str) -> list[SentMessage]:
        user.unread()
        update = self.fake.message("message.text.received", user.id, user.name, text=text)
        await self.channel.receive(update)
        await self.h.drain()
        await self.sender.drain_once()
        return user.unread()


@pytest.fixture
async def z(tmp_path: Path, fake: FakeZalo) -> AsyncIterator[Z]:
    config = drill_config(tmp_path)
    token = fake.configure(config, tmp_path / "media")
    h = await make_harness(tmp_path, config=config)
    channel = ZaloChannel(config, h.runtime.engine)
    await h.add_member(2, "Trần Thị Bình", "member", TEAM_A)
    await h.add_member(3, "Lê Văn Bình", "member", TEAM_A)
    await h.add_member(4, "Hoàng Thị Lan", "member", TEAM_A)
    yield Z(h, fake, token, channel)
    await channel.api.aclose()
    await h.close()


async def zalo_member(z: Z) -> ZaloUser:
    await z.h.add_invite("ZALODRIL", TEAM_A, "member")
    an = z.fake.user(z.token, "Nguyễn Văn An")
    asked = await z.say(an, "/start ZALODRIL")
    confirm = await z.say(an, asked[-1].choice_number("Dùng tên"))
    await z.say(an, confirm[-1].choice_number("Đúng, tham gia"))
    return an


async def test_a_whole_drill_typed_on_zalo(z: Z) -> None:
    an = await zalo_member(z)
    kinds = await z.say(an, "/baocao")
    asked = await z.say(an, kinds[-1].choice_number("Diễn tập"))
    lines = asked[-1].lines()
    assert "1. 📅 Hôm nay (23/11)" in lines and "2. Hôm qua" in lines  # numbered like the rest
    asked = await z.say(an, "2")
    assert "Bước 2/5" in asked[-1].text
    asked = await z.say(an, "7:30 tối")
    assert "Bước 3/5" in asked[-1].text
    mates = [asked[-1].choice_number(n) for n in ("Trần Thị Bình", "Hoàng Thị Lan")]
    asked = await z.say(an, f"{mates[0]} và {mates[1]}")
    assert "Bước 4/5" in asked[-1].text, asked[-1].text
    asked = await z.say(an, "ko")
    assert "Bước 5/5" in asked[-1].text
    asked = await z.say(an, "x" * 25)
    assert "quá giới hạn 20 ký tự" in asked[-1].text
    asked = await z.say(an, asked[-1].choice_number("Gửi phần đã cắt"))
    assert "📋 Xem lại báo cáo:" in asked[-1].text
    await z.say(an, asked[-1].choice_number("Gửi báo cáo"))
    [data] = await saved(z.h)
    assert data["date"] == "2026-11-22" and data["start"] == "19:30"
    assert data["count"] == 0 and data["note"] == "x" * 20
    assert await _names(z.h, data["mates"]) == ["Trần Thị Bình", "Hoàng Thị Lan"]


@pytest.mark.parametrize("typed", ["{a},{b}", "{a} {b}", "{a} và {b}", "{a}, {b} và {c}"])
async def test_several_numbers_on_zalo(z: Z, typed: str) -> None:
    an = await zalo_member(z)
    kinds = await z.say(an, "/baocao")
    await z.say(an, kinds[-1].choice_number("Diễn tập"))
    await z.say(an, "1")
    asked = await z.say(an, "19h")
    people = [line.split(". ", 1) for line in asked[-1].lines() if ". ▫️ " in line]
    typed = typed.format(a=people[0][0], b=people[1][0], c=people[2][0])  # the shown numbers
    asked = await z.say(an, typed)
    assert "Bước 4/5" in asked[-1].text, asked[-1].text
    picked = await _typed_mates(z)
    expected = [label.split(" ", 1)[1] for _, label in people][: len(split_list(typed))]
    assert picked == expected


async def _typed_mates(z: Z) -> list[str]:
    state = json.loads(
        (await _one(z.h, "SELECT state FROM conversations WHERE channel = 'zalo'"))["state"]
    )
    return await _names(z.h, state["answers"]["mates"])


@pytest.mark.parametrize("typed", ["1, 2", "2, 1", "1 và 3, xong"])
async def test_the_whole_team_shortcut_in_a_typed_list_means_everyone(z: Z, typed: str) -> None:
    an = await zalo_member(z)
    kinds = await z.say(an, "/baocao")
    await z.say(an, kinds[-1].choice_number("Diễn tập"))
    await z.say(an, "1")
    asked = await z.say(an, "19h")
    assert asked[-1].choice_number("Cả tổ") == "1"  # the numbers typed are the numbers shown
    asked = await z.say(an, typed)
    assert "Bước 4/5" in asked[-1].text, asked[-1].text
    assert await _typed_mates(z) == ["Trần Thị Bình", "Lê Văn Bình", "Hoàng Thị Lan"]


async def test_on_my_own_beside_someone_is_refused_on_zalo(z: Z) -> None:
    an = await zalo_member(z)
    kinds = await z.say(an, "/baocao")
    asked = await z.say(an, kinds[-1].choice_number("Đi bộ"))
    assert asked[-1].choice_number("Một mình") == "1"
    asked = await z.say(an, "1, 3")
    assert asked[-1].text.startswith(
        "⚠️ “Một mình” không đi cùng người khác được: chọn riêng “Một mình”"
    ), asked[-1].text
    assert "Cùng đi" in asked[-1].text
    asked = await z.say(an, "1, xong")  # on my own, and done: nobody
    assert "📋 Xem lại báo cáo:" in asked[-1].text, asked[-1].text
    assert "• Cùng đi: Một mình" in asked[-1].text  # as after pressing "Một mình"


async def test_a_number_not_in_the_list_is_named_on_zalo(z: Z) -> None:
    an = await zalo_member(z)
    kinds = await z.say(an, "/baocao")
    await z.say(an, kinds[-1].choice_number("Diễn tập"))
    await z.say(an, "1")
    await z.say(an, "19h")
    asked = await z.say(an, "1, 42")
    assert asked[-1].text.startswith("⚠️ Không thấy “42” trong danh sách. Gõ số thứ tự hoặc tên")
    assert "Bước 3/5" in asked[-1].text
    assert await saved(z.h) == []
