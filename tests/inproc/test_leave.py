"""/nghiphep (/leave): members declare leave, leaders and police record it for others within
their scope, leave can be cancelled, and /thongke neither expects nor counts leave days.

The clock starts on Monday 23/11/2026 at 09:00; reports are due by 21:00 and may be filed
7 days back (the defaults).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import pytest

from storage import memberships
from tests.inproc.helpers import CANCELLED, one, press_data, rows, start_patrol, texts
from tests.support.harness import COMMUNE, OTHER_COMMUNE, TEAM_A, TEAM_B, TEAM_C, Harness, TgUser

ASK_SELF = "🏖 Bạn nghỉ ngày nào? Bấm một lựa chọn, hoặc gõ khoảng ngày, ví dụ 24/11-26/11."
EXCUSED = "Trong những ngày này bạn không nhận nhắc báo cáo và không bị tính là thiếu báo cáo."
OUT_OF_SCOPE = (
    "⛔ Bạn chỉ ghi được nghỉ phép cho tổ viên trong phạm vi của mình (tổ của bạn, hoặc các tổ "
    "thuộc đơn vị bạn phụ trách). Không có gì được lưu. Gõ /nghiphep để bắt đầu lại."
)
RANGE_FORMAT = (
    "⚠️ Chưa đọc được ngày nghỉ. Gõ dạng 24/11-26/11 hoặc 24/11/2026-26/11/2026 "
    "(từ ngày - đến ngày), hoặc bấm “Hôm nay”."
)
RANGE_REVERSED = "⚠️ Ngày bắt đầu đang sau ngày kết thúc. Gõ lại, ví dụ 24/11-26/11."
RANGE_TOO_LONG = (
    "⚠️ Mỗi lần chỉ ghi được tối đa 60 ngày nghỉ. Gõ khoảng ngắn hơn; "
    "nghỉ dài hơn thì ghi thành nhiều lần."
)
PAST_SELF = (
    "⚠️ Chỉ tự ghi được nghỉ phép từ hôm nay trở đi. Nếu bạn đã nghỉ những ngày trước, "
    "hãy báo tổ trưởng để tổ trưởng ghi giúp."
)
ASK_TEAM = "👥 Ghi nghỉ phép cho tổ viên của tổ nào? Bấm tên tổ, hoặc gõ tên thôn."
TOO_OLD = (
    "⚠️ Chỉ ghi được nghỉ phép lùi lại tối đa 7 ngày. Chọn ngày bắt đầu gần hơn, ví dụ hôm qua."
)


class People:
    def __init__(self, h: Harness) -> None:
        self.h = h
        self.ids: dict[str, int] = {}

    async def add(self) -> People:
        for key, uid, name, role, unit in [
            ("an", 1, "Nguyễn Văn An", "member", TEAM_A),
            ("binh", 2, "Lý Thị Bình", "leader", TEAM_A),
            ("cuong", 3, "Hoàng Văn Cường", "member", TEAM_B),
            ("dung", 4, "Trần Văn Dũng", "officer", COMMUNE),
            ("khanh", 6, "Vi Văn Khánh", "officer", OTHER_COMMUNE),
            ("tai", 8, "Nông Văn Tài", "member", TEAM_C),
        ]:
            self.ids[key] = await self.h.add_member(uid, name, role, unit)
        return self

    def __getattr__(self, key: str) -> TgUser:
        uid = {"an": 1, "binh": 2, "cuong": 3, "dung": 4, "khanh": 6, "tai": 8}[key]
        return self.h.user(uid)


async def leaves_of(h: Harness) -> list[dict[str, Any]]:
    return await rows(h, "SELECT * FROM leaves ORDER BY id")


async def unit_id(h: Harness, path: str) -> int:
    return int((await one(h, "SELECT id FROM units WHERE path = ?", (path,)))["id"])


# ---------------------------------------------------------------- a member for themselves


async def test_member_declares_today_from_the_menu(h: Harness) -> None:
    p = await People(h).add()
    an = p.an
    replies = await an.send("/menu")
    assert "🏖 Nghỉ phép" in replies[0].labels()
    replies = await an.press("🏖 Nghỉ phép")
    assert replies[0].text == ASK_SELF
    assert replies[0].labels() == ["Hôm nay (23/11)", "Ngày mai (24/11)", "📅 Nhiều ngày…", "✖ Hủy"]
    replies = await an.press("Hôm nay")
    assert replies[0].text == "Nghỉ ngày 23/11/2026 (1 ngày). Lý do nghỉ là gì? Bấm một lựa chọn."
    assert replies[0].labels() == ["🏖 Nghỉ phép", "🤒 Ốm", "👪 Việc gia đình", "📝 Khác", "✖ Hủy"]
    replies = await an.press("Ốm")
    assert replies[0].text == f"✅ Đã ghi nghỉ phép ngày 23/11/2026 (1 ngày). {EXCUSED}"
    assert "📝 Báo cáo" in replies[0].labels()  # back at the menu
    [leave] = await leaves_of(h)
    assert (leave["member_id"], leave["start_date"], leave["end_date"]) == (
        p.ids["an"],
        "2026-11-23",
        "2026-11-23",
    )
    assert (leave["reason"], leave["recorded_by"], leave["cancelled_at"]) == (
        "sick",
        p.ids["an"],
        None,
    )
    assert await h.count("SELECT COUNT(*) FROM outbox") == 0  # nobody else to tell


async def test_a_range_typed_with_the_command_or_after_several_days(h: Harness) -> None:
    p = await People(h).add()
    an = p.an
    replies = await an.send("/nghiphep 24/11-26/11")
    assert replies[0].text.startswith("Nghỉ từ 24/11 đến 26/11/2026 (3 ngày). Lý do")
    replies = await an.press("Nghỉ phép")
    assert replies[0].text == f"✅ Đã ghi nghỉ phép từ 24/11 đến 26/11/2026 (3 ngày). {EXCUSED}"

    await an.send("/leave")
    replies = await an.press("Nhiều ngày")
    assert replies[0].text.startswith("📅 Gõ ngày bắt đầu và ngày kết thúc")
    await an.send("28/12/2026-03/01/2027")
    replies = await an.press("Việc gia đình")
    assert replies[0].text.startswith("✅ Đã ghi nghỉ phép từ 28/12/2026 đến 03/01/2027 (7 ngày).")

    await an.send("/nghiphep")
    replies = await an.send("từ 1/12 đến 2/12")  # typed at the first question, no year
    assert replies[0].text.startswith("Nghỉ từ 01/12 đến 02/12/2026 (2 ngày).")
    await an.press("Khác")
    replies = await an.send("/nghiphep ngày mai")
    assert replies[0].text == "\n".join(
        [
            "⚠️ Đã có nghỉ phép 24/11–26/11/2026 trùng với những ngày này, nên chưa ghi. "
            "Chọn ngày khác, hoặc bấm “Hủy nghỉ” để hủy nghỉ phép cũ rồi ghi lại.",
            ASK_SELF,
            "",
            "Nghỉ phép đã ghi (bấm “Hủy nghỉ” nếu không nghỉ nữa):",
            "• 24/11–26/11/2026 · 🏖 Nghỉ phép",
            "• 01/12–02/12/2026 · 📝 Khác",
            "• 28/12/2026–03/01/2027 · 👪 Việc gia đình",
        ]
    )
    spans = [(r["start_date"], r["end_date"], r["reason"]) for r in await leaves_of(h)]
    assert spans == [
        ("2026-11-24", "2026-11-26", "annual"),
        ("2026-12-28", "2027-01-03", "family"),
        ("2026-12-01", "2026-12-02", "other"),
    ]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("tuần sau", RANGE_FORMAT),
        ("32/11", RANGE_FORMAT),
        ("24/11-", RANGE_FORMAT),
        ("26/11-24/11", RANGE_REVERSED),
        ("01/12/2026-31/01/2027", RANGE_TOO_LONG),
        ("20/11-24/11", PAST_SELF),
        ("hôm qua", PAST_SELF),
    ],
)
async def test_bad_dates_are_refused_with_what_to_do_and_nothing_saved(
    h: Harness, typed: str, message: str
) -> None:
    an = (await People(h).add()).an
    await an.send("/nghiphep")
    replies = await an.send(typed)
    assert replies[0].text == f"{message}\n{ASK_SELF}"
    assert "Hôm nay (23/11)" in replies[0].labels()  # asked again, ready for another try
    replies = await an.send(f"/nghiphep {typed}")  # typed with the command: the same answer
    assert replies[0].text == f"{message}\n{ASK_SELF}"
    replies = await an.press("✖ Hủy")
    assert replies[0].text == CANCELLED
    assert await leaves_of(h) == []


async def test_sixty_days_is_the_longest_leave(h: Harness) -> None:
    an = (await People(h).add()).an
    replies = await an.send("/nghiphep 01/12/2026-29/01/2027")
    assert "(60 ngày)" in replies[0].text
    await an.press("Ốm")
    assert len(await leaves_of(h)) == 1


async def test_an_overlap_is_refused_naming_the_leave_in_the_way(h: Harness) -> None:
    an = (await People(h).add()).an
    await an.send("/nghiphep 24/11-26/11")
    await an.press("Ốm")
    for typed in ["25/11-28/11", "23/11/2026-30/11/2026", "26/11"]:
        replies = await an.send(f"/nghiphep {typed}")
        assert replies[0].text.startswith(
            "⚠️ Đã có nghỉ phép 24/11–26/11/2026 trùng với những ngày này, nên chưa ghi."
        ), typed
    replies = await an.send("/nghiphep 27/11-28/11")  # the day after is free
    await an.press("Ốm")
    assert [(r["start_date"], r["end_date"]) for r in await leaves_of(h)] == [
        ("2026-11-24", "2026-11-26"),
        ("2026-11-27", "2026-11-28"),
    ]


async def test_cancel_a_current_leave_but_not_an_ended_one(h: Harness) -> None:
    p = await People(h).add()
    an = p.an
    await an.send("/nghiphep hôm nay")
    await an.press("Nghỉ phép")
    await an.send("/nghiphep 24/11-26/11")
    await an.press("Ốm")
    replies = await an.send("/nghiphep")
    listing = replies[0]
    assert "• 23/11/2026 · 🏖 Nghỉ phép\n• 24/11–26/11/2026 · 🤒 Ốm" in listing.text
    assert "🗑 Hủy nghỉ 24/11–26/11/2026" in listing.labels()
    replies = await an.press("Hủy nghỉ 24/11–26/11/2026")
    assert replies[0].text.startswith(
        "🗑 Đã hủy nghỉ phép 24/11–26/11/2026. Những ngày đó lại cần báo cáo như thường.\n"
        + ASK_SELF
    )
    assert "🗑 Hủy nghỉ 24/11–26/11/2026" not in replies[0].labels()
    cancelled = (await leaves_of(h))[1]
    assert cancelled["cancelled_by"] == p.ids["an"] and cancelled["cancelled_at"]
    # the same button again: already cancelled
    first, second = await leaves_of(h)
    replies = await press_data(an, f"lv:x:{second['id']}", on=listing)
    assert replies[0].text.startswith("Không tìm thấy nghỉ phép này (có thể đã được hủy).")
    # someone else's forged cancel button: the same answer, nothing changes
    await p.cuong.send("/menu")
    replies = await press_data(p.cuong, f"lv:x:{first['id']}")
    assert replies[0].text.startswith("Không tìm thấy nghỉ phép này")
    # once the day is over it stays on record
    h.clock.advance(days=1)
    replies = await press_data(an, f"lv:x:{first['id']}", on=listing)
    assert replies[0].text.startswith("Nghỉ phép 23/11/2026 đã kết thúc nên không hủy được nữa.")
    assert [r["cancelled_at"] is None for r in await leaves_of(h)] == [True, False]


# ---------------------------------------------------------------- for someone else


async def test_leader_records_yesterday_for_a_team_mate_who_is_told(h: Harness) -> None:
    p = await People(h).add()
    binh, an = p.binh, p.an
    replies = await binh.send("/nghiphep")
    assert "👥 Ghi cho tổ viên" in replies[0].labels()
    replies = await binh.press("Ghi cho tổ viên")
    assert replies[0].text == "👤 Ghi nghỉ phép cho ai ở Thôn Nà Lẹng? Bấm tên."
    assert replies[0].labels() == ["Nguyễn Văn An", "✖ Hủy"]
    replies = await binh.press("Nguyễn Văn An")
    assert replies[0].text.startswith("🏖 Ghi nghỉ phép cho Nguyễn Văn An: nghỉ ngày nào?")
    assert replies[0].labels()[:3] == ["Hôm qua (22/11)", "Hôm nay (23/11)", "Ngày mai (24/11)"]
    replies = await binh.send("10/11-12/11")  # more than 7 days back
    assert replies[0].text.startswith(TOO_OLD)
    await binh.press("Hôm qua")
    replies = await binh.press("Ốm")
    assert replies[0].text == (
        "✅ Đã ghi nghỉ phép cho Nguyễn Văn An ngày 22/11/2026 (1 ngày). Trong những ngày này "
        "Nguyễn Văn An không nhận nhắc báo cáo và không bị tính là thiếu báo cáo.\n"
        "📨 Nguyễn Văn An sẽ nhận được tin nhắn báo việc này."
    )
    [leave] = await leaves_of(h)
    assert (leave["member_id"], leave["recorded_by"]) == (p.ids["an"], p.ids["binh"])
    outbox = await one(h, "SELECT dedupe_key, member_id, status FROM outbox")
    assert outbox == {
        "dedupe_key": f"leave-notice:{leave['id']}",
        "member_id": p.ids["an"],
        "status": "pending",
    }
    await h.drain()
    assert an.last_text.startswith(
        "🏖 Lý Thị Bình đã ghi nghỉ phép cho bạn ngày 22/11/2026 (1 ngày, lý do: 🤒 Ốm). "
        "Trong những ngày này bạn không nhận nhắc báo cáo"
    )
    # the leader may cancel it again while it lasts; here it is over
    replies = await press_data(binh, f"lv:x:{leave['id']}")
    assert replies[0].text.startswith("Nghỉ phép 22/11/2026 đã kết thúc")


async def test_leader_cannot_record_for_another_team_even_with_a_forged_button(
    h: Harness,
) -> None:
    p = await People(h).add()
    binh = p.binh
    await binh.send("/nghiphep")
    await binh.press("Ghi cho tổ viên")
    replies = await press_data(binh, f"lv:m:{p.ids['cuong']}")
    assert replies[0].text == OUT_OF_SCOPE
    replies = await press_data(binh, f"lv:u:{await unit_id(h, TEAM_B)}")
    assert replies[0].text == OUT_OF_SCOPE
    # a dialog started for a team-mate cannot be switched to someone else at the last step
    await binh.send("/nghiphep")
    await binh.press("Ghi cho tổ viên")
    await binh.press("Nguyễn Văn An")
    await binh.press("Ngày mai")
    replies = await press_data(binh, f"lv:m:{p.ids['tai']}")
    assert replies[0].text == OUT_OF_SCOPE
    replies = await press_data(binh, "lv:r:sick")  # the dialog is over: nothing to save
    assert replies[0].text.startswith("Câu hỏi này đã hết hiệu lực.")
    assert await leaves_of(h) == []
    assert await h.count("SELECT COUNT(*) FROM outbox") == 0


async def test_officer_records_within_the_commune_only(h: Harness) -> None:
    p = await People(h).add()
    dung = p.dung
    replies = await dung.send("/nghiphep")
    assert replies[0].text == ASK_TEAM
    assert sorted(replies[0].labels()) == ["Thôn Khuôn Pinh", "Thôn Nà Lẹng", "✖ Hủy"]
    replies = await dung.press("Thôn Khuôn Pinh")
    assert replies[0].labels() == ["Hoàng Văn Cường", "✖ Hủy"]
    await dung.press("Hoàng Văn Cường")
    await dung.press("Ngày mai")
    replies = await dung.press("Việc gia đình")
    assert replies[0].text.startswith("✅ Đã ghi nghỉ phép cho Hoàng Văn Cường ngày 24/11/2026")
    # a typed team name, without "Thôn" or diacritics
    await dung.send("/nghiphep")
    replies = await dung.send("na leng")
    assert replies[0].labels() == ["Nguyễn Văn An", "Lý Thị Bình", "✖ Hủy"]
    replies = await dung.send("Làng Mới")  # not a button here: asked again
    assert replies[0].text.startswith("⚠️ Vui lòng bấm một lựa chọn")
    # another commune: typed, pressed or forged
    await dung.send("/nghiphep")
    replies = await dung.send("Làng Mới")
    assert replies[0].text.startswith('⚠️ Không tìm thấy tổ "Làng Mới" trong phạm vi của bạn.')
    replies = await press_data(dung, f"lv:u:{await unit_id(h, TEAM_C)}")
    assert replies[0].text == OUT_OF_SCOPE
    replies = await press_data(dung, f"lv:m:{p.ids['tai']}")
    assert replies[0].text == OUT_OF_SCOPE
    await p.khanh.send("/menu")
    replies = await press_data(p.khanh, f"lv:m:{p.ids['an']}")  # Khánh's commune is the other
    assert replies[0].text == OUT_OF_SCOPE
    await p.khanh.send("/nghiphep")  # a single team: straight to its roster
    replies = await press_data(p.khanh, f"lv:m:{p.ids['an']}")
    assert replies[0].text == OUT_OF_SCOPE
    assert [r["member_id"] for r in await leaves_of(h)] == [p.ids["cuong"]]
    await h.drain()
    assert p.cuong.last_text.startswith("🏖 Trần Văn Dũng đã ghi nghỉ phép cho bạn ngày 24/11")


async def test_a_member_cannot_record_for_anyone_else(h: Harness) -> None:
    p = await People(h).add()
    an = p.an
    replies = await an.send("/nghiphep")
    assert "👥 Ghi cho tổ viên" not in replies[0].labels()
    for data in ["lv:for", f"lv:m:{p.ids['binh']}", f"lv:m:{p.ids['cuong']}"]:
        await an.send("/nghiphep")
        replies = await press_data(an, data)
        assert replies[0].text == OUT_OF_SCOPE, data
    await an.send("/nghiphep")
    replies = await press_data(an, f"lv:u:{await unit_id(h, TEAM_A)}")
    assert replies[0].text == OUT_OF_SCOPE
    assert await leaves_of(h) == []


# ---------------------------------------------------------------- drafts and the tally


async def test_a_report_draft_survives_leave(h: Harness) -> None:
    an = (await People(h).add()).an
    h.clock.set(datetime(2026, 11, 23, 21, 45))  # evening: the 19:00 shift has begun
    await start_patrol(an)
    await an.send("19:00")
    assert "Tuần tra kết thúc lúc mấy giờ?" in an.last_text
    await an.send("/nghiphep")
    await an.press("Ngày mai")
    await an.press("Ốm")
    replies = await an.send("/baocao")
    assert "làm dở" in replies[-1].text
    replies = await an.press("Tiếp tục")
    assert "Tuần tra kết thúc lúc mấy giờ?" in replies[-1].text
    # cancelled half way, or left for /baocao: the draft is still there
    for leave_it in ["/huy", "/baocao"]:
        await an.send("/nghiphep")
        await an.press("Nhiều ngày")
        replies = await an.send(leave_it)
        if leave_it == "/huy":
            assert replies[0].text.startswith(CANCELLED)
            replies = await an.send("/baocao")
        assert "làm dở" in replies[-1].text, leave_it
        replies = await an.press("Tiếp tục")
        assert "Tuần tra kết thúc lúc mấy giờ?" in replies[-1].text
    replies = await an.send("21:30")
    assert "Bước 2/4" in replies[-1].text
    assert len(await leaves_of(h)) == 1


async def test_leave_days_are_not_counted_against_compliance(h: Harness) -> None:
    """An files on 23/11 and 26/11 and is on leave 24–25/11: 2 of 2 days, not 2 of 4."""
    p = await People(h).add()
    an, dung = p.an, p.dung
    await an.send("/khongcovuviec")
    h.clock.set(datetime(2026, 11, 24, 8, 0))
    await an.send("/nghiphep 24/11-25/11")
    await an.press("Ốm")
    h.clock.set(datetime(2026, 11, 26, 20, 0))
    await an.send("/khongcovuviec")
    h.clock.set(datetime(2026, 11, 26, 22, 0))
    async with h.db.transaction() as tx:  # Bình would share Nà Lẹng's figures: make it An's
        stretch = await memberships.latest(tx, p.ids["binh"])  # (tallies read the stretches)
        assert stretch is not None
        # Bình served no day at all
        await memberships.leave(tx, stretch, stretch.start, "2026-11-26T15:00:00Z")
    text = texts(await dung.send("/thongke"))
    assert "   👥 1/1 báo cáo · đúng hạn 100% · muộn 0" in text
    async with h.db.transaction() as tx:
        await tx.execute("UPDATE leaves SET cancelled_at = '2026-11-26T22:00:00+07:00'")
    text = texts(await dung.send("/thongke"))
    assert "   👥 1/1 báo cáo · đúng hạn 50% · muộn 0" in text


async def test_a_member_who_blocked_the_bot_shows_in_the_tally(h: Harness) -> None:
    p = await People(h).add()
    async with h.db.transaction() as tx:
        await tx.execute(
            "UPDATE identities SET unreachable_at = ? WHERE member_id = ?",
            ("2026-11-23T08:00:00+07:00", p.ids["an"]),
        )
    replies = await p.dung.send("/thongke")
    text = replies[0].text
    block = text.split("Thôn Nà Lẹng —", 1)[1].split("\n\n", 1)[0]
    assert "   📵 1 người đã chặn bot (không nhận được nhắc nhở)" in block
    assert text.count("📵") == 1  # Khuôn Pinh's members are all reachable
    attached = {str(m.file_name).rsplit(".", 1)[1]: m for m in replies if m.file_kind}
    table = list(csv.reader(io.StringIO((attached["csv"].file_data or b"").decode("utf-8-sig"))))
    column = table[0].index("Số người đã chặn bot")
    assert {r[0]: r[column] for r in table[1:]} == {"Thôn Khuôn Pinh": "0", "Thôn Nà Lẹng": "1"}
    replies = await p.binh.send("/thongke")  # the leader's own team: in the head
    assert "\n📵 1 người đã chặn bot (không nhận được nhắc nhở)" in replies[0].text
