"""A tip's and a fire's life after "Đã tiếp nhận": step buttons, the optional note, the
reporter told of every step in their language, races, scope and forged buttons."""

from __future__ import annotations

import pytest

from tests.inproc.helpers import file_fire, file_tip, one, press_data, rows
from tests.inproc.police_world import People, alert_of
from tests.support.fakebot import Sent
from tests.support.harness import Harness, TgUser

ACK = "✅ Đã tiếp nhận"
TIP_STEPS = ["🔎 Đang xác minh", "✅ Đã giải quyết", "↪️ Chuyển cơ quan khác", "🚫 Không có cơ sở"]
DUP = "🔗 Trùng vụ khác"
NOT_FOUND = "Không tìm thấy báo cáo này trong địa bàn của bạn."
NOT_ALLOWED = "Chức năng này dành cho cán bộ Công an xã phụ trách địa bàn."
ASK_NOTE = "✍️ BC-2026-000001 → "


async def acknowledged(h: Harness, people: People, fire: bool = False) -> Sent:
    """File a tip (or a fire) as An; Cường acknowledges it; returns his ack reply."""
    await (file_fire if fire else file_tip)(people.an)
    await h.drain()
    h.clock.advance(minutes=5)
    replies = await people.cuong.press(ACK, on=alert_of(people.cuong))
    await h.drain()
    people.an.new_messages()
    return replies[-1]


async def events(h: Harness) -> list[dict[str, object]]:
    return await rows(h, "SELECT state, member_id, note, detail FROM report_events ORDER BY id")


async def notices(h: Harness, user: TgUser) -> list[str]:
    await h.drain()
    return [m.text for m in user.new_messages()]


async def test_every_step_of_a_tip_is_kept_and_told_to_the_reporter(
    h: Harness, people: People
) -> None:
    ack = await acknowledged(h, people)
    assert [m.text for m in people.cuong.messages[-2:]] == [
        "✅ Bạn đã tiếp nhận BC-2026-000001 lúc 09:05 23/11/2026. Người báo đã được thông báo.",
        "Khi có kết quả xử lý BC-2026-000001, bấm một bước dưới đây:",
    ]
    assert ack.labels() == [*TIP_STEPS, DUP]
    assert alert_of(people.cuong).buttons == []  # the alert stays, its button gone
    assert [b["callback_data"] for row in ack.buttons for b in row][-1] == "dup:1"

    h.clock.advance(minutes=10)
    replies = await people.cuong.press("Đang xác minh", on=ack)
    assert replies[-1].text == (
        "✍️ BC-2026-000001 → 🔎 Đang xác minh. Gõ ghi chú ngắn (tối đa 300 ký tự) để lưu kèm,"
        " hoặc chọn “Bỏ qua”."
    )
    assert replies[-1].labels() == ["⏭ Bỏ qua", "✖ Hủy"]
    replies = await people.cuong.press("Bỏ qua")
    assert replies[-1].text == (
        "✅ Đã ghi: BC-2026-000001 → Đang xác minh.\nNgười báo đã được thông báo."
    )
    assert replies[-1].labels() == [*TIP_STEPS[1:], DUP]
    assert await notices(h, people.an) == [
        "🚓 Tin báo BC-2026-000001 của bạn: Công an xã đang xác minh."
    ]

    h.clock.advance(hours=2)
    await people.cuong.press("Đã giải quyết")
    replies = await people.cuong.send("Đã giải tán nhóm đánh bạc,  lập biên bản")
    assert replies[-1].text.startswith("✅ Đã ghi: BC-2026-000001 → Đã giải quyết.")
    assert await notices(h, people.an) == [
        "🚓 Tin báo BC-2026-000001 của bạn: Công an xã đã giải quyết"
        " (ghi chú: Đã giải tán nhóm đánh bạc, lập biên bản)."
    ]
    cuong = people.ids["cuong"]
    assert await events(h) == [
        {"state": "received", "member_id": people.ids["an"], "note": None, "detail": None},
        {"state": "acknowledged", "member_id": cuong, "note": None, "detail": None},
        {"state": "verifying", "member_id": cuong, "note": None, "detail": None},
        {
            "state": "resolved",
            "member_id": cuong,
            "note": "Đã giải tán nhóm đánh bạc, lập biên bản",
            "detail": None,
        },
    ]
    report = await one(h, "SELECT state, state_at FROM reports")
    assert report == {"state": "resolved", "state_at": "2026-11-23T11:15:00+07:00"}
    # closed: the old buttons are refused with who did what, nothing stored
    replies = await press_data(people.cuong, "cs:s:1:unfounded")  # an old button
    assert replies[-1].text == (
        "Báo cáo BC-2026-000001 đã được Hoàng Văn Cường chuyển sang “Đã giải quyết”"
        " lúc 11:15 23/11/2026. Bước của bạn chưa được lưu."
    )
    assert len(await events(h)) == 4
    assert await notices(h, people.an) == []


@pytest.mark.parametrize(
    ("step", "vi", "en"),
    [
        (
            "Chuyển cơ quan khác",
            "🚓 Tin báo BC-2026-000001 của bạn: Công an xã đã chuyển cho cơ quan có thẩm quyền.",
            "🚓 Your tip BC-2026-000001: the commune police have forwarded it to the competent"
            " agency.",
        ),
        (
            "Không có cơ sở",
            "🚓 Tin báo BC-2026-000001 của bạn: Công an xã kết luận tin báo không có cơ sở.",
            "🚓 Your tip BC-2026-000001: the commune police found it unfounded.",
        ),
        (
            "Đang xác minh",
            "🚓 Tin báo BC-2026-000001 của bạn: Công an xã đang xác minh.",
            "🚓 Your tip BC-2026-000001: the commune police are verifying it.",
        ),
    ],
)
@pytest.mark.parametrize("language", ["vi", "en"])
async def test_the_reporter_is_told_in_their_own_language(
    h: Harness, people: People, step: str, vi: str, en: str, language: str
) -> None:
    ack = await acknowledged(h, people)
    if language == "en":
        await people.an.send("/language")
        await people.an.press("English")
        people.an.new_messages()
    await people.cuong.press(step, on=ack)
    replies = await people.cuong.press("Bỏ qua")
    assert replies[-1].text.endswith("Người báo đã được thông báo.")  # the officer's language
    assert await notices(h, people.an) == [en if language == "en" else vi]


async def test_a_note_too_long_is_refused_and_given_back(h: Harness, people: People) -> None:
    ack = await acknowledged(h, people)
    await people.cuong.press("Không có cơ sở", on=ack)
    long_note = "Đã kiểm tra hiện trường. " * 13  # 325 characters
    replies = await people.cuong.send(long_note)
    assert [m.text for m in replies] == [
        "⚠️ Ghi chú dài 324 ký tự, tối đa 300. Chưa lưu gì. Hãy gõ lại ngắn gọn hơn;"
        " bản bạn vừa gõ ở ngay dưới để chép lại.",
        long_note.strip(),
        "✍️ BC-2026-000001 → 🚫 Không có cơ sở. Gõ ghi chú ngắn (tối đa 300 ký tự) để lưu kèm,"
        " hoặc chọn “Bỏ qua”.",
    ]
    assert (await one(h, "SELECT state FROM reports"))["state"] == "acknowledged"
    assert await notices(h, people.an) == []
    replies = await people.cuong.send("Không phát hiện đánh bạc")
    assert replies[-1].text.startswith("✅ Đã ghi: BC-2026-000001 → Không có cơ sở.")
    assert (await events(h))[-1]["note"] == "Không phát hiện đánh bạc"


async def test_a_photo_is_not_a_note_and_cancel_keeps_the_state(h: Harness, people: People) -> None:
    ack = await acknowledged(h, people)
    await people.cuong.press("Đã giải quyết", on=ack)
    replies = await people.cuong.send_photo("photo-1")
    assert replies[-1].text.startswith("⚠️ Hãy gõ ghi chú bằng chữ, hoặc chọn “Bỏ qua”.\n✍️")
    replies = await people.cuong.press("Hủy")
    assert replies[-1].text.startswith("Đã hủy. Báo cáo giữ nguyên trạng thái.")
    assert (await one(h, "SELECT state FROM reports"))["state"] == "acknowledged"
    replies = await press_data(people.cuong, "cs:skip")  # the old dialog's button
    assert replies[-1].text.startswith("Nút này đã cũ. Hãy mở lại báo cáo từ /tinbao.")
    assert len(await events(h)) == 2
    assert await notices(h, people.an) == []


async def test_two_officers_racing_only_the_first_wins(h: Harness, people: People) -> None:
    ack = await acknowledged(h, people)
    await people.cuong.press("Đã giải quyết", on=ack)
    await press_data(people.dung, "case:1")  # Dũng opens the case from his side
    await people.dung.press("Không có cơ sở")
    h.clock.advance(minutes=3)
    replies = await people.cuong.send("Đã xử lý")
    assert replies[-1].text.startswith("✅ Đã ghi: BC-2026-000001 → Đã giải quyết.")
    replies = await people.dung.send("Tin sai sự thật")
    assert [m.text for m in replies][-1] == (
        "Báo cáo BC-2026-000001 đã được Hoàng Văn Cường chuyển sang “Đã giải quyết”"
        " lúc 09:08 23/11/2026. Bước của bạn chưa được lưu.\n"
        "Ghi chú của bạn (chưa lưu): Tin sai sự thật"
    )
    assert [e["state"] for e in await events(h)] == ["received", "acknowledged", "resolved"]
    assert (await one(h, "SELECT state FROM reports"))["state"] == "resolved"
    assert await notices(h, people.an) == [
        "🚓 Tin báo BC-2026-000001 của bạn: Công an xã đã giải quyết (ghi chú: Đã xử lý)."
    ]


@pytest.mark.parametrize(
    ("who", "data", "expected"),
    [
        ("hai", "cs:s:1:resolved", NOT_FOUND),  # another commune's officer
        ("hai", "case:1", NOT_FOUND),
        ("an", "cs:s:1:resolved", NOT_ALLOWED),  # the reporter
        ("lan", "cs:s:1:resolved", NOT_ALLOWED),  # a supervisor reads, does not act
        ("cuong", "cs:s:1:bogus", NOT_FOUND),  # forged data
        ("cuong", "cs:s:1:done", NOT_FOUND),  # a fire's step on a tip
        ("cuong", "cs:s:1:received", NOT_FOUND),
        ("cuong", "cs:s:abc:resolved", NOT_FOUND),
        ("cuong", "cs:s:99:resolved", NOT_FOUND),
        ("cuong", "case:²", NOT_FOUND),
    ],
)
async def test_out_of_scope_members_and_forged_buttons_are_refused(
    h: Harness, people: People, who: str, data: str, expected: str
) -> None:
    await acknowledged(h, people)
    user: TgUser = getattr(people, who)
    await user.send("/menu")
    replies = await press_data(user, data)
    assert replies[0].text == expected
    assert len(await events(h)) == 2
    assert (await one(h, "SELECT state FROM reports"))["state"] == "acknowledged"
    assert await notices(h, people.an) == []


async def test_a_step_before_acknowledging_asks_to_acknowledge_first(
    h: Harness, people: People
) -> None:
    await file_tip(people.an)
    await h.drain()
    replies = await press_data(people.cuong, "cs:s:1:resolved", on=alert_of(people.cuong))
    assert replies[-1].text == (
        "Báo cáo BC-2026-000001 chưa được tiếp nhận. Hãy bấm “✅ Đã tiếp nhận” trước,"
        " rồi mới chuyển bước tiếp."
    )
    assert replies[-1].labels() == [ACK]
    assert (await one(h, "SELECT state FROM reports"))["state"] == "received"


@pytest.mark.parametrize(("answer", "in_time"), [("Có", True), ("Không", False)])
async def test_a_fire_ends_with_dealt_with_and_the_officers_word_on_time(
    h: Harness, people: People, answer: str, in_time: bool
) -> None:
    ack = await acknowledged(h, people, fire=True)
    assert ack.labels() == ["🧯 Đã xử lý xong", DUP]
    replies = await people.cuong.press("Đã xử lý xong", on=ack)
    assert replies[-1].text == "🧯 BC-2026-000001: lực lượng có mặt kịp thời không?"
    assert replies[-1].labels() == ["Có", "Không", "✖ Hủy"]
    replies = await people.cuong.press(answer)
    assert replies[-1].text.startswith(ASK_NOTE + "🧯 Đã xử lý xong.")
    replies = await people.cuong.press("Bỏ qua")
    yes_no = "Có" if in_time else "Không"
    assert replies[-1].text == (
        "✅ Đã ghi: BC-2026-000001 → Đã xử lý xong.\n"
        f"Lực lượng có mặt kịp thời: {yes_no}\nNgười báo đã được thông báo."
    )
    report = await one(
        h, "SELECT state, confirmed_by, confirmed_at, in_time_confirmed FROM reports"
    )
    assert report == {
        "state": "done",
        "confirmed_by": people.ids["cuong"],
        "confirmed_at": "2026-11-23T09:05:00+07:00",
        "in_time_confirmed": int(in_time),
    }
    last = (await events(h))[-1]
    assert last["state"] == "done" and last["detail"] == f'{{"in_time": {str(in_time).lower()}}}'
    assert await notices(h, people.an) == [
        "🚓 Báo cáo BC-2026-000001 của bạn: Công an xã đã xử lý xong."
    ]
    # the member's own view says where it stands, and offers no withdrawal any more
    await people.an.send("/baocaocuatoi")
    replies = await people.an.press("BC-2026-000001")
    assert "📌 Tình trạng: Đã xử lý xong (09:05 23/11/2026)." in replies[-1].text
    assert "🗑 Rút lại" not in replies[-1].labels()


async def test_the_case_view_shows_the_report_its_history_and_buttons(
    h: Harness, people: People
) -> None:
    await file_tip(people.an)
    await h.drain()
    replies = await press_data(people.cuong, "case:1", on=alert_of(people.cuong))
    view = replies[-1]
    assert view.text.startswith(
        "📁 📢 Tin báo ANTT — BC-2026-000001\n"
        "Người báo: Nguyễn Văn An (Thôn Nà Lẹng), lúc 09:00 23/11/2026\n"
        "Trạng thái: Mới nhận, chưa tiếp nhận\n"
    )
    assert "• Địa điểm: Ngã ba chợ" in view.text
    assert view.text.endswith(
        "Diễn biến:\n• 09:00 23/11/2026 — Mới nhận, chưa tiếp nhận (Nguyễn Văn An)"
    )
    assert view.labels() == [ACK, DUP, "🏠 Về menu"]

    h.clock.advance(minutes=5)
    await people.cuong.press(ACK, on=view)
    await people.cuong.press("Đang xác minh")
    await people.cuong.send("Đã cử tổ đến")
    await people.lan.send("/menu")
    replies = await press_data(people.lan, "case:1")
    view = replies[-1]
    assert "Trạng thái: Đang xác minh" in view.text
    assert view.text.endswith(
        "• 09:05 23/11/2026 — Đã tiếp nhận (Hoàng Văn Cường)\n"
        "• 09:05 23/11/2026 — Đang xác minh (Hoàng Văn Cường)\n"
        "  Ghi chú: Đã cử tổ đến"
    )
    assert view.labels() == ["🏠 Về menu"]  # a supervisor reads, officers act
    replies = await press_data(people.dung, "case:1", on=alert_of(people.dung))
    assert replies[-1].labels() == [*TIP_STEPS[1:], DUP, "🏠 Về menu"]
