"""/thongke in chat: who may ask, what they see, the period and unit buttons, the files."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from PIL import Image

from bot.core.config import Config, Phase, TallySection
from storage import units
from tests.inproc.helpers import file_patrol
from tests.support.fakebot import Sent, callback_update
from tests.support.harness import (
    COMMUNE,
    OTHER_COMMUNE,
    PROVINCE,
    TEAM_A,
    TEAM_B,
    TEAM_C,
    Harness,
    TgUser,
    make_harness,
)
from tests.support.workbook import lines
from tests.support.workbook import note as sheet_note

NOT_ALLOWED = (
    "Xin lỗi, chức năng thống kê dành cho tổ trưởng, cán bộ Công an xã và cán bộ chỉ đạo. "
    "Bạn vẫn có thể gửi báo cáo của mình bằng /baocao."
)
OUT_OF_SCOPE = (
    "⛔ Bạn không được xem thống kê của đơn vị này: chỉ xem được đơn vị của mình và các đơn vị "
    "trực thuộc. Gõ /thongke để xem đơn vị của bạn."
)
RANGE_FORMAT = (
    "⚠️ Chưa đọc được khoảng ngày. Gõ theo dạng 01/10/2026-31/10/2026 (từ ngày - đến ngày)."
)


def texts(sent: list[Sent]) -> list[str]:
    return [m.text for m in sent if m.file_kind is None]


def files(sent: list[Sent]) -> dict[str, Sent]:
    return {str(m.file_name).rsplit(".", 1)[1]: m for m in sent if m.file_kind is not None}


async def people(h: Harness) -> dict[str, TgUser]:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(2, "Lý Thị Bình", "leader", TEAM_A)
    await h.add_member(3, "Hoàng Văn Cường", "member", TEAM_B)
    await h.add_member(4, "Trần Văn Dũng", "officer", COMMUNE)
    await h.add_member(5, "Lê Thị Hà", "supervisor", PROVINCE)
    await h.add_member(6, "Vi Văn Khánh", "officer", OTHER_COMMUNE)
    await h.add_member(7, "Phạm Quân", "admin", PROVINCE)
    await h.add_member(8, "Nông Văn Tài", "member", TEAM_C)
    return {
        k: h.user(i)
        for i, k in enumerate(["an", "binh", "cuong", "dung", "ha", "khanh", "quan", "tai"], 1)
    }


async def test_a_member_is_refused_politely_and_gets_no_file(h: Harness) -> None:
    an = (await people(h))["an"]
    replies = await an.send("/thongke")
    assert texts(replies) == [NOT_ALLOWED]
    assert files(replies) == {}
    assert "📊 Thống kê" not in replies[0].labels()


async def test_supervisor_sees_the_province_with_buttons_and_three_files(h: Harness) -> None:
    users = await people(h)
    await file_patrol(users["an"])
    replies = await users["ha"].send("/thongke")
    table = replies[0]
    lines = table.text.splitlines()
    assert lines[0] == "📊 Thống kê Tỉnh Lạng Sơn · Tháng 11/2026 (01/11–30/11/2026)"
    assert lines[1] == "Số liệu đến hết ngày 22/11/2026 (các ngày đã qua hạn báo cáo 21:00)."
    # everyone joined today, so no day is due yet: no on-time share to show
    assert lines[2] == "Tổng: 3 tổ · 1/4 tổ viên đã báo cáo · đúng hạn — · muộn 0"
    assert "🚶 Tuần tra ANTT, ATGT 1" in lines[3]
    assert "• 4.6 Tuần tra: 0/3 (25%)" in table.text  # with the plan's content number
    assert "• Báo cáo đúng hạn (thực tiễn địa phương):" in table.text  # a local target says so
    labels = table.labels()
    for wanted in [
        "Hôm nay",
        "Tuần này",
        "• Tháng này",
        "Tháng trước",
        "✏️ Nhập khoảng ngày",
        "🔎 Xã Bắc Sơn",
        "🔎 Xã Hữu Vĩnh",
        "🏠 Về menu",
    ]:
        assert wanted in labels, labels
    assert not any(label.startswith("⬆") for label in labels)  # nothing above the province
    attached = files(replies)
    assert sorted(attached) == ["csv", "png", "xlsx"]
    assert attached["xlsx"].file_name == "thongke_tinh-lang-son_m2026-11.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(attached["xlsx"].file_data or b""))
    # teams, communes, the whole unit, members, tip and fire targets, every target and the
    # goals applied, tips and fires, and the reports of each commune that has some
    assert book.sheetnames[:7] == [
        "Các tổ",
        "Xã",
        "Toàn đơn vị",
        "Từng thành viên",
        "Chỉ tiêu tin báo, PCCC",
        "Chỉ tiêu",
        "Tin báo, PCCC",
    ]
    assert all(name.startswith("Chi tiết Xã ") for name in book.sheetnames[7:])
    png = Image.open(io.BytesIO(attached["png"].file_data or b""))
    assert png.format == "PNG" and png.width >= 800
    rows = list(csv.reader(io.StringIO((attached["csv"].file_data or b"").decode("utf-8-sig"))))
    assert len(rows) == 1 + 3  # header and one row per team


async def test_drill_down_from_province_to_commune_to_team_and_back_up(h: Harness) -> None:
    ha = (await people(h))["ha"]
    await ha.send("/thongke")
    replies = await ha.press("🔎 Xã Bắc Sơn")
    assert replies[0].text.startswith("📊 Thống kê Xã Bắc Sơn · Tháng 11/2026")
    assert "⬆ Tỉnh Lạng Sơn" in replies[0].labels()
    replies = await ha.press("🔎 Thôn Nà Lẹng", on=replies[0])
    assert replies[0].text.startswith("📊 Thống kê Thôn Nà Lẹng · Tháng 11/2026")
    replies = await ha.press("⬆ Xã Bắc Sơn", on=replies[0])
    assert replies[0].text.startswith("📊 Thống kê Xã Bắc Sơn")


async def test_last_month_and_today_from_the_buttons(h: Harness) -> None:
    dung = (await people(h))["dung"]
    await dung.send("/thongke")
    replies = await dung.press("Tháng trước")
    assert replies[0].text.startswith("📊 Thống kê Xã Bắc Sơn · Tháng 10/2026 (01/10–31/10/2026)")
    assert "• Tháng trước" in replies[0].labels()
    replies = await dung.press("Hôm nay", on=replies[0])
    assert replies[0].text.startswith("📊 Thống kê Xã Bắc Sơn · 23/11/2026")
    # at 09:00 the day's 21:00 deadline has not passed: nothing is due yet, and it says so
    assert replies[0].text.splitlines()[1] == (
        "Kỳ này chưa có ngày nào qua hạn báo cáo 21:00: tỷ lệ báo cáo đúng hạn chưa tính."
    )


async def test_an_empty_period_answers_with_zeros(h: Harness) -> None:
    dung = (await people(h))["dung"]
    replies = await dung.send("/thongke 01/01/2026-31/01/2026")
    text = replies[0].text
    assert text.startswith("📊 Thống kê Xã Bắc Sơn · 01/01–31/01/2026")
    # nobody had joined yet in January: no member served a day of it
    assert "Tổng: 2 tổ · 0/0 tổ viên đã báo cáo · đúng hạn —" in text
    assert "🚶 Tuần tra ANTT, ATGT 0" in text
    assert "▪️ Thôn Khuôn Pinh — đạt" in text and "▪️ Thôn Nà Lẹng — đạt" in text


async def test_a_typed_range_bad_then_good(h: Harness) -> None:
    dung = (await people(h))["dung"]
    await dung.send("/thongke")
    replies = await dung.press("Nhập khoảng ngày")
    assert replies[0].text == (
        "Gõ khoảng ngày cần thống kê, dạng 01/10/2026-31/10/2026. Bấm Hủy để quay lại."
    )
    replies = await dung.send("tháng mười")
    assert texts(replies) == [RANGE_FORMAT]
    replies = await dung.send("31/10/2026-01/10/2026")
    assert texts(replies) == [
        "⚠️ Ngày bắt đầu đang sau ngày kết thúc. Gõ lại, ví dụ 01/10/2026-31/10/2026."
    ]
    replies = await dung.send("01/10/2026 - 15/10/2026")
    assert replies[0].text.startswith("📊 Thống kê Xã Bắc Sơn · 01/10–15/10/2026")
    assert await h.count("SELECT COUNT(*) FROM reports") == 0  # asking never writes a report


async def test_cancelling_the_typed_range_goes_back_to_the_menu(h: Harness) -> None:
    dung = (await people(h))["dung"]
    await dung.send("/thongke")
    await dung.press("Nhập khoảng ngày")
    replies = await dung.press("Hủy")
    assert replies[0].text == "Đã hủy. Không có gì được lưu."
    replies = await dung.send("01/10/2026-15/10/2026")  # no longer asked: the menu answers
    assert not replies[0].text.startswith("📊")


async def test_a_leader_sees_only_the_own_team(h: Harness) -> None:
    binh = (await people(h))["binh"]
    replies = await binh.send("/thongke")
    assert replies[0].text.startswith("📊 Thống kê Thôn Nà Lẹng · Tháng 11/2026")
    assert not any(label.startswith(("⬆", "🔎")) for label in replies[0].labels())
    for typed in ("/thongke Xã Bắc Sơn", "/thongke Thôn Khuôn Pinh", f"/thongke {TEAM_C}"):
        assert texts(await binh.send(typed)) == [OUT_OF_SCOPE], typed


async def test_officer_of_one_commune_is_refused_the_other_whatever_they_type(h: Harness) -> None:
    dung = (await people(h))["dung"]
    for typed in (
        "/thongke Xã Hữu Vĩnh",
        "/thongke xa huu vinh",
        f"/thongke {OTHER_COMMUNE}",
        "/thongke Thôn Làng Mới tháng trước",
        f"/thongke {PROVINCE}",
    ):
        assert texts(await dung.send(typed)) == [OUT_OF_SCOPE], typed
    # a forged button for the other commune's unit id
    async with h.db.read() as tx:
        row = await tx.fetchone("SELECT id FROM units WHERE path = ?", (OTHER_COMMUNE,))
    message = dung.last_with_buttons()
    dung.new_messages()
    await h.feed(callback_update(dung.id, message, f"tally:{row['id']}:m2026-11"))
    assert texts(dung.new_messages()) == [OUT_OF_SCOPE]
    assert texts(await dung.send("/thongke Xã Không Có")) == [
        'Không tìm thấy đơn vị "Xã Không Có" trong phạm vi của bạn. Gõ /thongke rồi bấm một '
        "đơn vị, hoặc gõ đúng tên thôn, xã."
    ]


async def test_an_officer_names_a_team_without_diacritics(h: Harness) -> None:
    dung = (await people(h))["dung"]
    replies = await dung.send("/thongke na leng thang truoc")
    assert replies[0].text.startswith("📊 Thống kê Thôn Nà Lẹng · Tháng 10/2026")


async def test_a_name_without_its_level_word_finds_the_unit(h: Harness) -> None:
    """`/thongke Mới` finds "Ấp Mới", as `/thongbao Mới` always did (one lookup for both)."""
    dung = (await people(h))["dung"]
    async with h.db.transaction() as tx:
        await units.upsert(tx, f"{COMMUNE}/Ấp Mới", "village", None, "2026-11-01T00:00:00+07:00")
    replies = await dung.send("/thongke Mới")
    assert replies[0].text.startswith("📊 Thống kê Ấp Mới · Tháng 11/2026")
    replies = await dung.send("/thongbao Mới")
    assert "Ấp Mới" in replies[0].text


SCOPE = [
    # (user, unit path, may see)
    ("binh", TEAM_A, True),
    ("binh", TEAM_B, False),
    ("binh", COMMUNE, False),
    ("dung", COMMUNE, True),
    ("dung", TEAM_A, True),
    ("dung", TEAM_B, True),
    ("dung", TEAM_C, False),
    ("dung", OTHER_COMMUNE, False),
    ("dung", PROVINCE, False),
    ("khanh", OTHER_COMMUNE, True),
    ("khanh", TEAM_C, True),
    ("khanh", TEAM_A, False),
    ("khanh", COMMUNE, False),
    ("ha", PROVINCE, True),
    ("ha", COMMUNE, True),
    ("ha", OTHER_COMMUNE, True),
    ("ha", TEAM_C, True),
    ("quan", PROVINCE, True),
    ("quan", TEAM_B, True),
    ("an", TEAM_A, False),
    ("cuong", TEAM_B, False),
    ("tai", TEAM_C, False),
]


@pytest.mark.parametrize(("who", "path", "visible"), SCOPE)
async def test_scope_of_every_role(h: Harness, who: str, path: str, visible: bool) -> None:
    user = (await people(h))[who]
    async with h.db.read() as tx:
        row = await tx.fetchone("SELECT id, name FROM units WHERE path = ?", (path,))
    typed = texts(await user.send(f"/thongke {path}"))
    await user.send("/menu")
    message = user.last_with_buttons()
    user.new_messages()
    await h.feed(callback_update(user.id, message, f"tally:{row['id']}:m2026-10"))
    pressed = texts(user.new_messages())
    if visible:
        assert typed[0].startswith(f"📊 Thống kê {row['name']} · Tháng 11/2026")
        assert pressed[0].startswith(f"📊 Thống kê {row['name']} · Tháng 10/2026")
    elif who in {"an", "cuong", "tai"}:
        assert typed == [NOT_ALLOWED] and pressed[0] == NOT_ALLOWED
    else:
        assert typed == [OUT_OF_SCOPE] and pressed == [OUT_OF_SCOPE]


@pytest.fixture
async def h15(tmp_path: Path) -> AsyncIterator[Harness]:
    phases = [
        Phase(
            name="Đợt 1", theme="Cao điểm cuối năm", start=date(2026, 10, 1), end=date(2027, 2, 3)
        )
    ]
    config = Config(tally=TallySection(month_starts_on=15, phases=phases))
    harness = await make_harness(tmp_path, config=config)
    yield harness
    await harness.close()


async def test_months_from_the_15th_and_a_configured_phase(h15: Harness) -> None:
    dung = (await people(h15))["dung"]
    replies = await dung.send("/thongke")
    # 23/11 lies in the month that closes on 14/12
    assert replies[0].text.startswith("📊 Thống kê Xã Bắc Sơn · Tháng 12/2026 (15/11–14/12/2026)")
    replies = await dung.press("Tháng trước")
    assert replies[0].text.startswith("📊 Thống kê Xã Bắc Sơn · Tháng 11/2026 (15/10–14/11/2026)")
    replies = await dung.press("Đợt 1", on=replies[0])
    assert replies[0].text.startswith("📊 Thống kê Xã Bắc Sơn · Đợt 1 (01/10–03/02/2027)")


async def test_a_tally_in_the_middle_of_a_report_keeps_the_draft(h: Harness) -> None:
    binh = (await people(h))["binh"]  # a leader also files reports
    h.clock.set(datetime(2026, 11, 23, 21, 45))  # evening: the 19:00 shift has begun
    await binh.send("/baocao")
    await binh.press("Tuần tra")
    await binh.send("19:00")
    assert "Tuần tra kết thúc lúc mấy giờ?" in binh.last_text
    replies = await binh.send("/thongke")
    assert replies[0].text.startswith("📊 Thống kê Thôn Nà Lẹng")
    await binh.press("Nhập khoảng ngày", on=replies[0])
    await binh.send("01/10/2026-31/10/2026")
    replies = await binh.send("/baocao")  # back to the wizard: the draft is still there
    assert replies[-1].text == (
        "Bạn đang có báo cáo “🚶 Tuần tra ANTT, ATGT” làm dở. Tiếp tục hay làm lại từ đầu?"
    )
    replies = await binh.press("Tiếp tục")
    assert "Tuần tra kết thúc lúc mấy giờ?" in replies[-1].text


async def test_the_tally_is_computed_with_the_write_lock_free_and_a_failure_is_told(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A country's tally takes seconds: no write of any process may wait for it. It runs
    after the update's COMMIT, on a read snapshot; meanwhile a report can be saved."""
    import bot.tally.prepared as prepared

    computing = prepared.compute
    seen: list[bool] = []

    async def compute(tx: object, *args: object, **kwargs: object) -> object:
        held = h.db._turns.held  # noqa: SLF001  (the write turn of this process)
        seen.append(held)
        if not held:  # a write goes through meanwhile (held, it would wait for ever)
            async with h.db.transaction() as write:
                await write.execute("UPDATE counters SET value = value WHERE name = 'none'")
        return await computing(tx, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(prepared, "compute", compute)
    u = await people(h)
    sent = await u["ha"].send("/thongke")
    assert seen == [False]
    assert texts(sent)[0].startswith("📊 Thống kê Tỉnh Lạng Sơn")
    drilled = await u["ha"].press("Xã Bắc Sơn", on=sent[0])  # the buttons still work
    assert texts(drilled)[0].startswith("📊 Thống kê Xã Bắc Sơn")

    async def failing(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the replica went away")

    monkeypatch.setattr(prepared, "compute", failing)
    answer = await u["ha"].send("/thongke")
    assert texts(answer) == [h.runtime.services.texts.t("vi", "error.internal")]
    async with h.db.read() as tx:
        row = await tx.fetchone("SELECT COUNT(*) FROM processed_updates WHERE channel = 'telegram'")
    assert row is not None and row[0] >= 3  # handled once each, not left to run again


async def test_the_tally_still_goes_out_when_its_choices_cannot_be_remembered(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage import conversations

    async def load(*args: object) -> object:
        raise RuntimeError("the database went away just then")

    u = await people(h)
    monkeypatch.setattr(conversations, "load", load)  # read only by the remembering step
    sent = await u["ha"].send("/thongke")
    assert texts(sent)[0].startswith("📊 Thống kê Tỉnh Lạng Sơn")


@pytest.fixture
async def h2(tmp_path: Path) -> AsyncIterator[Harness]:
    """Chat workbooks list the teams of at most two teams (a commune, not the province)."""
    harness = await make_harness(tmp_path, config=Config(tally=TallySection(file_team_limit=2)))
    yield harness
    await harness.close()


async def test_a_file_over_too_many_teams_lists_the_levels_and_says_where_the_teams_are(
    h2: Harness,
) -> None:
    users = await people(h2)
    await file_patrol(users["an"])
    province = files(await users["ha"].send("/thongke"))
    book = openpyxl.load_workbook(io.BytesIO(province["xlsx"].file_data or b""))
    assert book.sheetnames[:5] == [
        "Xã",
        "Toàn đơn vị",
        "Chỉ tiêu tin báo, PCCC",
        "Chỉ tiêu",
        "Tin báo, PCCC",
    ]
    assert "Các tổ" not in book.sheetnames and "Từng thành viên" not in book.sheetnames
    note = (
        "Tệp này chỉ liệt kê từ cấp xã trở lên (3 tổ, quá nhiều cho một tệp gửi qua tin nhắn)."
        " Danh sách từng tổ và từng thành viên: xem thống kê của từng tỉnh (/thongke rồi chọn"
        " tên tỉnh), hoặc chạy lệnh: antt-bot tally --format xlsx"
    )
    assert note in sheet_note(book["Xã"])
    assert any("Xã Bắc Sơn" in str(cell) for row in lines(book["Xã"]) for cell in row)
    commune = files(await users["dung"].send("/thongke"))  # two teams: every sheet
    book = openpyxl.load_workbook(io.BytesIO(commune["xlsx"].file_data or b""))
    assert book.sheetnames[:2] == ["Các tổ", "Toàn đơn vị"]
    assert "Từng thành viên" in book.sheetnames
