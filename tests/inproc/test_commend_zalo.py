"""/khenthuong on Zalo, where everything is typed: the occasion's number, line numbers
"3 5" to tick, the reason as text, and where to get the list since no file can be sent."""

from __future__ import annotations

from tests.inproc.commend_world import build
from tests.inproc.test_zalo import Z, fake, z  # noqa: F401  (the Zalo fixtures)
from tests.support import backend
from tests.support.harness import COMMUNE


async def test_an_officer_on_zalo_ticks_by_typing_numbers(z: Z) -> None:  # noqa: F811
    await build(z.h)
    await z.h.add_invite("CONGANZ", COMMUNE, "officer")
    tam = z.user("Ngô Văn Tâm")
    await z.join(tam, "CONGANZ")

    asked = await z.say(tam, "/khenthuong")
    assert asked[-1].text.startswith(
        "🏅 Lập danh sách đề nghị khen thưởng cho Xã Bắc Sơn. Dịp nào? Gõ số một dịp:"
    )
    listed = await z.say(tam, asked[-1].choice_number("Đợt 3"))
    text = "\n".join(m.text for m in listed)
    assert "▫️ 3. Nguyễn Văn An (Tổ trưởng, Thôn Nà Lẹng)" in text
    assert "Gõ số dòng để đánh dấu đề nghị, nhiều dòng cách nhau bằng dấu cách" in text
    assert "3. ▫️ Nguyễn Văn An" in text.splitlines()  # the choice, numbered once

    ticked = await z.say(tam, "3 5")
    assert ticked[0].text.startswith(
        "✅ Đã đánh dấu đề nghị: Nguyễn Văn An, Lê Văn Cường. Gõ lý do đề nghị nếu muốn"
    )
    reason = await z.say(tam, "Thành tích xuất sắc trong Đợt 3")
    assert reason[0].text.startswith("✏️ Đã ghi lý do đề nghị cho: Nguyễn Văn An, Lê Văn Cường.")
    wrong = await z.say(tam, "4 9")
    assert wrong[-1].text == (
        "⚠️ Không có dòng số 9: danh sách có 5 dòng. Gõ lại số dòng, ví dụ «1 3»."
    )
    rows = await backend.rows(
        z.h.db,
        "SELECT m.full_name, c.reason FROM commendations c JOIN members m ON m.id = c.member_id"
        " ORDER BY m.full_name",
    )
    assert [tuple(r) for r in rows] == [
        ("Lê Văn Cường", "Thành tích xuất sắc trong Đợt 3"),
        ("Nguyễn Văn An", "Thành tích xuất sắc trong Đợt 3"),
    ]
    untick = await z.say(tam, "5")  # one number: that line's choice, pressed again
    assert untick[0].text.startswith("Đã bỏ đánh dấu: Lê Văn Cường.")

    last = untick[-1]
    files = await z.say(tam, last.choice_number("Xuất danh sách"))
    assert files[-1].text == (
        "📄 Zalo chưa nhận được tệp từ bot. Danh sách (1 dòng) đã lưu: mở /khenthuong trên"
        " Telegram để nhận tệp Excel và Word, hoặc nhờ quản trị chạy trên máy chủ: antt-bot"
        ' commend export --unit "Tỉnh Lạng Sơn/Xã Bắc Sơn" --occasion p20261001-20261031'
        " Muốn nhận tệp ngay trên Zalo: quản trị viên đặt địa chỉ trang (mục [web] public_url)"
        " trong tệp cấu hình rồi khởi động lại bot."
    )
    done = await z.say(tam, last.choice_number("Xong"))
    assert done[0].text.startswith("Đã lưu 1 đề nghị khen thưởng.")
