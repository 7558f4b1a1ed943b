"""/thanhvien's scope: nobody changes someone outside their area, of their rank, or
themselves, whatever button they forge or keep; a supervisor reaches their whole subtree."""

from __future__ import annotations

from tests.inproc.helpers import press_data
from tests.inproc.manage_world import build, notices, saved
from tests.support.harness import TEAM_A, TEAM_C, Harness, TgUser

OUT = "⛔ Đơn vị hoặc người này không thuộc địa bàn bạn quản lý. Không thay đổi gì."


async def _move_to_day(officer: TgUser, name: str, dest: str) -> None:
    await officer.send("/thanhvien Nà Lẹng")
    await officer.press(name)
    await officer.press("Chuyển tổ")
    await officer.press(dest)


async def test_an_officer_cannot_open_or_touch_another_commune(h: Harness) -> None:
    w = await build(h)
    hai = w.p.hai  # officer of Xã Hữu Vĩnh
    before = await saved(h)
    typed = await hai.send("/thanhvien Nà Lẹng")
    assert typed[-1].text.startswith("⚠️ «Nà Lẹng» không thuộc địa bàn bạn quản lý.")
    forged_unit = await press_data(hai, f"ppl:u:{w.unit_ids[TEAM_A]}")
    assert forged_unit[-1].text.startswith(OUT)
    await hai.send("/thanhvien Làng Mới")
    forged_member = await press_data(hai, f"ppl:m:{w.ids['an']}")  # not of the unit shown
    assert forged_member[-1].text.startswith(OUT)
    assert await saved(h) == before


async def test_an_officer_cannot_move_someone_into_another_commune(h: Harness) -> None:
    w = await build(h)
    cuong = w.p.cuong
    await cuong.send("/thanhvien Nà Lẹng")
    await cuong.press("Nguyễn Văn An")
    where = await cuong.press("Chuyển tổ")
    assert "Thôn Làng Mới" not in where[-1].labels()
    typed = await cuong.send("Làng Mới")
    assert typed[-1].text.startswith("⚠️ «Làng Mới» không thuộc địa bàn bạn quản lý.")
    before = await saved(h)
    forged = await press_data(cuong, f"ppl:d:{w.unit_ids[TEAM_C]}")
    assert forged[-1].text.startswith(OUT)
    assert await saved(h) == before
    assert notices(w.p.an) == []


async def test_nobody_changes_themselves_or_their_rank(h: Harness) -> None:
    w = await build(h)
    cuong, lan = w.p.cuong, w.p.lan
    own = await cuong.send("/thanhvien Xã Bắc Sơn")  # himself and a supervisor
    assert own[-1].text.splitlines()[-1].startswith("Trong đơn vị này không có ai bạn thay đổi")
    assert own[-1].labels() == ["🔎 Đơn vị khác"]
    before = await saved(h)
    for who in ("cuong", "lan"):
        await cuong.send("/thanhvien Nà Lẹng")
        forged = await press_data(cuong, f"ppl:m:{w.ids[who]}")
        assert forged[-1].text.startswith(OUT), who
    assert await saved(h) == before
    # A supervisor of the commune manages its officer, not herself.
    listed = await lan.send("/thanhvien Xã Bắc Sơn")
    assert listed[-1].labels() == ["Hoàng Văn Cường", "✖ Hủy"]
    forged = await press_data(lan, f"ppl:m:{w.ids['lan']}")
    assert forged[-1].text.startswith(OUT)
    assert await saved(h) == before


async def test_a_supervisor_manages_the_whole_subtree(h: Harness) -> None:
    w = await build(h)
    son = w.p.son  # supervisor of the province
    asked = await son.send("/thanhvien")
    assert "Xã Hữu Vĩnh › Thôn Làng Mới" in asked[-1].labels()
    await son.press("Xã Hữu Vĩnh › Thôn Làng Mới")
    await son.press("Hà Thị Mai")
    await son.press("Chuyển tổ")
    await son.press("Xã Bắc Sơn › Thôn Nà Lẹng")
    confirm = await son.press("Hôm nay")
    assert confirm[-1].text == (
        "Chuyển Hà Thị Mai từ Thôn Làng Mới sang Thôn Nà Lẹng từ ngày 30/11/2026?"
    )
    done = await son.press("Xác nhận")
    assert done[-1].text.startswith("✅ Đã chuyển Hà Thị Mai sang Thôn Nà Lẹng")
    await h.drain()
    assert notices(w.mai)[-1].startswith("ℹ️ Phạm Văn Sơn đã chuyển bạn sang Thôn Nà Lẹng")


async def test_the_confirmation_checks_scope_again(h: Harness) -> None:
    w = await build(h)
    cuong, son = w.p.cuong, w.p.son
    await _move_to_day(cuong, "Nguyễn Văn An", "Khuôn Pinh")
    confirm = await cuong.press("Hôm nay")
    # Meanwhile the province moves An to the other commune.
    await son.send("/thanhvien Xã Bắc Sơn/Thôn Nà Lẹng")
    await son.press("Nguyễn Văn An")
    await son.press("Chuyển tổ")
    await son.send("Làng Mới")
    await son.press("Hôm nay")
    await son.press("Xác nhận")
    before = await saved(h)
    late = await cuong.press("Xác nhận", on=confirm[-1])
    assert late[-1].text.startswith("⛔ Bạn không quản lý Nguyễn Văn An (ngoài địa bàn")
    assert await saved(h) == before


async def test_old_and_forged_confirmations_change_nothing(h: Harness) -> None:
    w = await build(h)
    cuong = w.p.cuong
    await _move_to_day(cuong, "Nguyễn Văn An", "Khuôn Pinh")
    confirm = await cuong.press("Hôm nay")
    ok = confirm[-1].buttons[0][0]["callback_data"]
    before = await saved(h)
    forged = await press_data(cuong, "ppl:ok:00000000")
    assert forged[-1].text.startswith("⚠️ Nút xác nhận này đã cũ. Xem lại thay đổi dưới đây.")
    assert forged[-1].labels() == ["✅ Xác nhận", "✖️ Hủy"]
    for data in ("ppl:r:admin", "ppl:a:leave", "ppl:m:999999999999999999999", "ppl:p:x"):
        answer = await press_data(cuong, data)
        assert "Chuyển Nguyễn Văn An" in answer[-1].text, data
    assert await saved(h) == before
    done = await cuong.press("Xác nhận")
    assert done[-1].text.startswith("✅ Đã chuyển Nguyễn Văn An")
    again = await press_data(cuong, ok)  # pressed twice

    assert again[-1].text.startswith("Danh sách này đã cũ.")
    assert await h.count("SELECT COUNT(*) FROM audit_trail") == 1


async def test_roles_offered_are_below_the_caller(h: Harness) -> None:
    w = await build(h)
    lan = w.p.lan
    await lan.send("/thanhvien Xã Bắc Sơn")
    await lan.press("Hoàng Văn Cường")
    roles = await lan.press("Đổi vai trò")
    assert roles[-1].labels() == ["✖ Hủy"]  # a supervisor gives no role above an officer
    before = await saved(h)
    forged = await press_data(lan, "ppl:r:supervisor")
    assert forged[-1].text.startswith("⚠️")
    assert await saved(h) == before
