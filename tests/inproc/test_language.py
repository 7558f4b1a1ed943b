"""A member switches the bot to English and back."""

from __future__ import annotations

from tests.support.harness import TEAM_A, Harness


async def test_member_switches_to_english_and_back(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    replies = await an.send("/ngonngu")
    assert "Chọn ngôn ngữ / Choose a language" in replies[-1].text
    replies = await an.press("English")
    assert replies[-1].text.startswith("✅ The bot now speaks English.")
    assert "📝 Report" in " ".join(replies[-1].labels())
    replies = await an.send("/report")
    assert "What would you like to report?" in replies[-1].text
    assert "Patrol (order, traffic)" in " ".join(replies[-1].labels())
    await an.send("/cancel")
    await an.send("/language")
    replies = await an.press("Tiếng Việt")
    assert replies[-1].text.startswith("✅ Đã chuyển sang tiếng Việt.")
    assert await h.count("SELECT COUNT(*) FROM members WHERE locale = 'vi'") == 1


async def test_forged_language_value_is_not_stored(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    await an.send("/ngonngu")
    message = an.last_with_buttons()
    message.buttons[0][0]["callback_data"] = "lang:xx"
    replies = await an.press("Tiếng Việt", on=message)
    assert "Chọn ngôn ngữ" in replies[-1].text
    assert await h.count("SELECT COUNT(*) FROM members WHERE locale = 'xx'") == 0
