"""The form fields behind the targets of 4.2, 4.4 and 4.6, through the real wizard
on Telegram (buttons): each asked only when it matters, one message per step, and saved.

- 4.2: "Mô hình đã được ghi nhận, biểu dương ở cấp nào?" only once a model is named.
- 4.4: the running total of households informed; "a business violated the rules?" only when
  businesses were checked; illegal weapons preset to "no" on the summary (one tap to change).
- 4.6: "serious accident?" on a tip only for a traffic accident; on a patrol, preset to "no"
  once incidents were found (no extra message).
"""

from __future__ import annotations

from tests.inproc.helpers import SUMMARY, patrol_to_summary, report_data
from tests.support.harness import TEAM_A, Harness

LEVEL_QUESTION = "Mô hình đã được ghi nhận, biểu dương ở cấp nào?"
BUSINESS_QUESTION = "Có cơ sở nào vi phạm quy định về ANTT không?"
ACCIDENT_QUESTION = "Tai nạn có nghiêm trọng không"


async def test_outreach_asks_the_model_level_only_once_a_model_is_named(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    await an.send("/baocao")
    await an.press("Tuyên truyền")
    await an.press("Xây dựng mô hình")
    assert len(await an.send("60")) == 1
    replies = await an.send("Camera an ninh ở ngõ xóm")
    assert len(replies) == 1 and SUMMARY in replies[0].text
    assert LEVEL_QUESTION not in replies[0].text
    replies = await an.press("Thêm mô hình")
    assert len(replies) == 1
    replies = await an.send("Camera an ninh")
    assert len(replies) == 1 and LEVEL_QUESTION in replies[0].text
    assert replies[0].labels()[:3] == ["Chưa", "Cấp xã", "Cấp huyện (khu vực) trở lên"]
    replies = await an.press("Cấp huyện")
    assert len(replies) == 1 and SUMMARY in replies[0].text
    assert "• Mô hình được ghi nhận ở cấp: Cấp huyện (khu vực) trở lên" in replies[0].text
    await an.press("Gửi báo cáo")
    data = await report_data(h)
    assert (data["model_name"], data["model_level"]) == ("Camera an ninh", "district")


async def test_outreach_without_a_model_saves_no_level(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    await an.send("/baocao")
    await an.press("Tuyên truyền")
    await an.press("Họp dân")
    await an.send("40")
    await an.send("Phòng chống ma túy")
    await an.press("Gửi báo cáo")
    data = await report_data(h)
    assert "model_level" not in data and not data.get("model_name")


async def test_admin_order_asks_about_violations_only_when_businesses_were_checked(
    h: Harness,
) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    await an.send("/baocao")
    replies = await an.press("Quản lý hành chính")
    assert "Bước 1/4" in replies[-1].text  # the violation question is not counted yet
    assert "Đến nay, trên địa bàn của tổ có bao nhiêu hộ" in replies[-1].text
    await an.send("90")
    await an.send("0")
    replies = await an.send("2")  # two conditional businesses checked
    assert len(replies) == 1 and BUSINESS_QUESTION in replies[0].text
    await an.press("Có")
    replies = await an.send("0")
    assert len(replies) == 1 and SUMMARY in replies[0].text
    labels = " ".join(replies[0].labels())
    assert "Phát hiện vũ khí, vật liệu nổ, công cụ hỗ trợ trái phép" in labels  # one tap
    await an.press("Gửi báo cáo")
    data = await report_data(h)
    assert data["households_informed"] == 90
    assert (data["businesses_checked"], data["business_violation"]) == (2, True)
    assert data["illegal_weapons"] is False

    await an.send("/baocao")
    await an.press("Quản lý hành chính")
    await an.send("92")
    await an.send("0")
    replies = await an.send("0")  # none checked: not asked
    assert BUSINESS_QUESTION not in replies[-1].text
    replies = await an.send("0")
    assert SUMMARY in replies[-1].text
    await an.press("vũ khí, vật liệu nổ")  # flip the preset to yes
    await an.press("Gửi báo cáo")
    second = await report_data(h, 2)
    assert "business_violation" not in second
    assert second["illegal_weapons"] is True


async def test_a_traffic_tip_asks_whether_the_accident_was_serious(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    await an.send("/baocao")
    await an.press("Tin báo")
    await an.press("Người dân báo")
    replies = await an.press("Tai nạn giao thông")
    assert len(replies) == 1 and ACCIDENT_QUESTION in replies[0].text
    replies = await an.press("Có")
    assert len(replies) == 1 and "Mức độ khẩn?" in replies[0].text
    await an.press("Khẩn cấp")
    await an.send("Ngã ba Nà Lẹng")
    await an.send("Xe máy va chạm ô tô, một người bị thương nặng")
    await an.press("Gửi báo cáo")
    data = await report_data(h)
    assert (data["kind"], data["serious_accident"]) == ("traffic", True)


async def test_a_dispute_tip_is_not_asked_about_accidents(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    await an.send("/baocao")
    await an.press("Tin báo")
    await an.press("Người dân báo")
    replies = await an.press("Mâu thuẫn")
    assert "Mức độ khẩn?" in replies[-1].text


async def test_a_patrol_with_incidents_has_the_accident_preset_on_its_summary(
    h: Harness,
) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    await patrol_to_summary(an, incidents="1")  # asserts the summary comes straight on
    assert "• Có tai nạn giao thông nghiêm trọng: Không" in an.last_text
    await an.press("Có tai nạn giao thông nghiêm trọng")
    assert "• Có tai nạn giao thông nghiêm trọng: Có" in an.last_text
    await an.press("Gửi báo cáo")
    assert (await report_data(h))["serious_accident"] is True


async def test_a_quiet_patrol_shows_no_accident_line(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    await patrol_to_summary(an, incidents="0")
    assert "tai nạn giao thông nghiêm trọng" not in an.last_text
    await an.press("Gửi báo cáo")
    assert "serious_accident" not in await report_data(h)
