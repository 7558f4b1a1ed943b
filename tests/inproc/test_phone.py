"""/sodienthoai: a member leaves the number the officers see on their urgent reports."""

from __future__ import annotations

from tests.inproc.test_zalo import Z, fake, z  # noqa: F401  (the Zalo fixtures)
from tests.support.harness import COMMUNE, TEAM_A, Harness

INVALID = "⚠️ «0912-abc» không phải số điện thoại."


async def phone_in_db(h: Harness) -> object:
    async with h.db.read() as tx:
        row = await tx.fetchone("SELECT phone FROM members WHERE id = 1")
    assert row is not None
    return row["phone"]


async def test_a_number_typed_after_the_command_is_kept_as_written(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    replies = await an.send("/sodienthoai  0912  345 678 ")
    assert replies[-1].text.startswith("✅ Đã lưu số điện thoại 0912 345 678.")
    assert await phone_in_db(h) == "0912 345 678"
    replies = await an.send("/phone")  # the English name works too, and shows it
    assert "Số điện thoại của bạn: 0912 345 678" in replies[-1].text
    replies = await an.press("Xóa số điện thoại")
    assert replies[-1].text.startswith("Đã xóa số điện thoại.")
    assert await phone_in_db(h) is None


async def test_asked_then_typed_and_a_wrong_number_is_refused_and_kept_asking(
    h: Harness,
) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    replies = await an.send("/sodienthoai")
    assert replies[-1].text.startswith("📞 Bạn chưa để lại số điện thoại.")
    assert "Gõ số điện thoại của bạn" in replies[-1].text
    replies = await an.send("0912-abc")
    assert replies[-1].text.startswith(INVALID), replies[-1].text
    assert "Chưa lưu gì." in replies[-1].text
    assert await phone_in_db(h) is None
    replies = await an.send("+84 912.345.678")  # still asked: the next message is the number
    assert replies[-1].text.startswith("✅ Đã lưu số điện thoại +84 912.345.678.")
    assert await phone_in_db(h) == "+84 912.345.678"
    replies = await an.send("/sodienthoai xoá")  # with or without diacritics
    assert replies[-1].text.startswith("Đã xóa số điện thoại.")
    assert await phone_in_db(h) is None


async def test_leaving_the_question_keeps_the_number(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    await an.send("/sodienthoai 0912345678")
    await an.send("/sodienthoai")
    replies = await an.press("Hủy")
    assert replies[-1].text.startswith("Số điện thoại giữ nguyên.")
    assert await phone_in_db(h) == "0912345678"


async def test_the_number_reaches_the_officer_with_the_alert(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(11, "Hoàng Văn Cường", "officer", COMMUNE)
    an = h.user(1)
    await an.send("/sodienthoai 0912345678")
    await an.send("/baocao")
    await an.press("Tin báo")
    await an.press("Người dân báo")
    await an.press("Mâu thuẫn")
    await an.press("Khẩn cấp")
    await an.send("Đầu cầu Bản Lếch")
    await an.send("Hai nhà cãi nhau về ranh giới đất")
    await an.press("Gửi")
    await h.drain()
    alert = h.user(11).last_text
    assert "Nguyễn Văn An (Thôn Nà Lẹng), 0912 345 678" in alert, alert


async def test_on_zalo_the_number_is_typed_and_the_choices_are_numbers(z: Z) -> None:  # noqa: F811
    await z.h.add_invite("DOI", TEAM_A, "member")
    an = z.user("Nguyễn Văn An")
    await z.join(an, "DOI")
    asked = (await z.say(an, "/sodienthoai"))[-1]
    assert "Gõ số điện thoại của bạn" in asked.text
    said = (await z.say(an, "0205 3833 113"))[-1]
    assert said.text.startswith("✅ Đã lưu số điện thoại 0205 3833 113.")
    asked = (await z.say(an, "/sodienthoai"))[-1]
    said = (await z.say(an, asked.choice_number("Xóa số điện thoại")))[-1]
    assert said.text.startswith("Đã xóa số điện thoại.")
