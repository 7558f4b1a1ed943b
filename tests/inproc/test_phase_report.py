"""/baocaodot in chat: the DOCX and its annex for a hand-worked commune, photos, scope,
marking a phase report submitted (idempotent, audited)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import docx
import openpyxl
import pytest

from bot.phasereport import photos
from tests.inproc.phase_world import SO_KET, TG_PHOTO, add_report, png, world
from tests.support.fakebot import Sent
from tests.support.harness import Harness

NOT_ALLOWED = (
    "⛔ Báo cáo sơ kết, tổng kết do cán bộ Công an xã và cán bộ chỉ đạo soạn. "
    "Tổ trưởng xem kết quả của tổ bằng /thongke."
)
OUT_OF_SCOPE = (
    "⛔ Bạn chỉ soạn được báo cáo cho đơn vị của mình hoặc đơn vị trực thuộc ngay dưới. "
    "Gõ /baocaodot để chọn lại."
)


@pytest.fixture(autouse=True)
def no_telegram(monkeypatch: pytest.MonkeyPatch) -> None:
    """Telegram photos cannot be fetched here (the fake Bot API has no files): the report
    names them, and no test reaches the network."""
    monkeypatch.setattr("handlers.phase_report.telegram_fetcher", lambda config: None)


@pytest.fixture
async def hw(tmp_path: Path) -> AsyncIterator[tuple[Harness, dict[str, int], Path]]:
    h, ids, photo = await world(tmp_path)
    yield h, ids, photo
    await h.close()


def files(sent: list[Sent]) -> dict[str, Sent]:
    return {str(m.file_name).rsplit(".", 1)[1]: m for m in sent if m.file_kind == "document"}


def document_text(data: bytes) -> tuple[list[str], list[list[list[str]]], int]:
    """The paragraphs, each table's cells, and how many pictures the DOCX holds."""
    doc = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return paragraphs, tables, len(doc.inline_shapes)


def row_of(tables: list[list[list[str]]], first: str) -> list[str]:
    return next(row for table in tables for row in table if row and row[0] == first)


async def test_officer_drafts_the_phase_report_with_the_hand_worked_figures(hw) -> None:  # type: ignore[no-untyped-def]
    h, _, _ = hw
    cuong = h.user(11)
    replies = await cuong.send("/baocaodot")
    assert (
        replies[0].text
        == "📄 Soạn báo cáo cho đợt nào? Sơ kết một đợt, hoặc tổng kết cả phong trào."
    )
    labels = replies[0].labels()
    assert "📄 Sơ kết Đợt 1" in labels and "📄 Sơ kết Đợt 2" in labels
    assert not any("Đợt 3" in label for label in labels)  # not started yet
    replies = await cuong.press("Sơ kết Đợt 1")  # one unit to choose: straight to the report
    text = replies[0].text
    assert text.startswith(
        "📄 Đã soạn báo cáo sơ kết Đợt 1 của Xã Bắc Sơn (01/11/2026–20/11/2026)."
    )
    assert "2 tổ, 3 thành viên, 4 báo cáo;" in text
    assert "1 việc tốt; 0 tin báo, vụ cháy." in text
    assert "📎 Tệp Word (báo cáo để sửa) và tệp Excel (phụ lục số liệu)" in text
    assert f"✅ Đánh dấu đã nộp: {SO_KET}" in replies[0].labels()
    got = files(replies)
    assert sorted(got) == ["docx", "xlsx"]
    assert got["docx"].file_name == "baocao-so-ket_xa-bac-son_p1.docx"
    paragraphs, tables, pictures = document_text(got["docx"].file_data or b"")
    head = [c for row in tables[0] for c in row]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc" in head
    assert "TỈNH LẠNG SƠN\nXÃ BẮC SƠN" in head and "Số: …/BC-…" in head
    assert "BÁO CÁO" in paragraphs
    assert (
        "Sơ kết Đợt 1 phong trào thi đua trong lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở"
        in paragraphs
    )
    assert (
        "Đợt 1: từ ngày 01/11/2026 đến ngày 20/11/2026. Chủ đề: Chào mừng 95 năm thành lập Đảng"
        in paragraphs
    )
    for content in ("4.1. ", "4.2. ", "4.3. ", "4.4. ", "4.5. ", "4.6. ", "4.7. "):
        assert any(p.startswith(content) for p in paragraphs), content
    assert "Buổi tuần tra được báo cáo: 3." in paragraphs
    assert "Thành viên tham gia tuần tra: 2/3." in paragraphs
    assert "Việc tốt được báo cáo: 1." in paragraphs
    assert "Tin báo, tố giác nhận được qua lực lượng: 0." in paragraphs
    patrol = row_of(tables, "Tuần tra")
    assert patrol[1:5] == ["100%", "66%", "Chưa đạt", "1/2"]
    assert patrol[5].startswith("KH phát động phong trào thi đua đặc biệt, BCĐ 138 huyện Bắc Sơn")
    assert "“100% lực lượng tham gia bảo vệ ANTT ở cơ sở tham gia hỗ trợ" in patrol[5]
    deeds = row_of(tables, "Việc tốt")
    assert deeds[1:5] == ["từ 2 trở lên", "1", "Chưa đạt", "1/2"]
    assert row_of(tables, "Tin báo được tiếp nhận")[3] == "Không phát sinh"
    assert row_of(tables, "Nguồn tin của Nhân dân qua lực lượng")[1:4] == [
        "từ 80% trở lên", "—", "Cán bộ đánh giá"]  # fmt: skip
    assert row_of(tables, "Báo cáo đúng hạn")[5] == "Thực tiễn địa phương (không có trong kế hoạch)"
    best = row_of(tables, "1")
    assert best[1:3] == ["Thôn Nà Lẹng", "4/7"]  # 4/7 as Khuôn Pinh, more days on time
    deed = next(p for p in paragraphs if "Giúp bà cụ sửa mái nhà" in p)
    assert deed.startswith("05/11/2026, Thôn Nà Lẹng, Nguyễn Văn An:")
    assert pictures == 1  # the photo stored here; the Telegram one is named
    assert "(1 ảnh trên Telegram, chưa tải về được.)" in paragraphs
    for part in ("II. TỒN TẠI, HẠN CHẾ", "III. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI",
                 "IV. ĐỀ XUẤT, KIẾN NGHỊ"):  # fmt: skip
        assert part in paragraphs
    signature = [c for row in tables[-1] for c in row]
    assert any(c.startswith("Nơi nhận:\n- Tỉnh Lạng Sơn (để báo cáo);") for c in signature)
    book = openpyxl.load_workbook(io.BytesIO(got["xlsx"].file_data or b""), read_only=True)
    assert len(book.sheetnames) >= 2


async def test_a_telegram_photo_is_fetched_through_the_bot_and_embedded(  # type: ignore[no-untyped-def]
    hw, monkeypatch: pytest.MonkeyPatch
) -> None:
    h, _, _ = hw
    asked: list[str] = []

    def fetcher(config: object) -> photos.Fetch:
        async def fetch(file_id: str) -> bytes | None:
            asked.append(file_id)
            return png("blue")

        return fetch

    monkeypatch.setattr("handlers.phase_report.telegram_fetcher", fetcher)
    cuong = h.user(11)
    await cuong.send("/baocaodot")
    replies = await cuong.press("Sơ kết Đợt 1")
    paragraphs, _, pictures = document_text(files(replies)["docx"].file_data or b"")
    assert asked == [TG_PHOTO.removeprefix("tg:")]
    assert pictures == 2
    assert not any("ảnh trên Telegram" in p for p in paragraphs)


async def test_whole_movement_and_a_supervisor_picks_a_commune(hw) -> None:  # type: ignore[no-untyped-def]
    h, _, _ = hw
    lan = h.user(14)
    await lan.send("/baocaodot")
    replies = await lan.press("Tổng kết cả phong trào")
    assert replies[0].text == "Báo cáo cho đơn vị nào?"
    assert replies[0].labels()[:3] == ["Tỉnh Lạng Sơn", "Xã Bắc Sơn", "Xã Hữu Vĩnh"]
    replies = await lan.press("Xã Hữu Vĩnh")
    assert replies[0].text.startswith(
        "📘 Đã soạn báo cáo tổng kết phong trào của Xã Hữu Vĩnh (01/11/2026–19/08/2027)."
    )
    assert "1 tổ, 1 thành viên, 1 báo cáo;" in replies[0].text
    assert "✅ Đánh dấu đã nộp: Báo cáo tổng kết" in replies[0].labels()
    paragraphs, _, _ = document_text(files(replies)["docx"].file_data or b"")
    assert (
        "Tổng kết phong trào thi đua trong lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở"
        in paragraphs
    )


async def test_leaders_and_members_are_refused_and_get_no_file(hw) -> None:  # type: ignore[no-untyped-def]
    h, _, _ = hw
    for uid in (1, 2):
        replies = await h.user(uid).send("/baocaodot")
        assert replies[0].text == NOT_ALLOWED
        assert files(replies) == {}


async def test_a_forged_button_outside_the_area_is_refused(hw) -> None:  # type: ignore[no-untyped-def]
    h, _, _ = hw
    async with h.db.read() as tx:
        other = await tx.fetchone("SELECT id FROM units WHERE name = 'Xã Hữu Vĩnh'")
        team = await tx.fetchone("SELECT id FROM units WHERE name = 'Thôn Nà Lẹng'")
    assert other is not None and team is not None
    cuong = h.user(11)
    await cuong.send("/baocaodot")
    message = cuong.last_with_buttons()
    for data in (f"phr:r:p1:{other['id']}", f"phr:s:0000000000:{other['id']}", "phr:r:p1:x"):
        replies = await cuong.press_data(message, data)
        assert replies[0].text == OUT_OF_SCOPE
        assert files(replies) == {}
    replies = await cuong.press_data(message, f"phr:r:p1:{team['id']}")
    assert replies[0].text.startswith("⚠️ Thôn Nà Lẹng là một tổ: báo cáo sơ kết, tổng kết")
    replies = await cuong.press_data(message, "phr:p:p3")  # a phase still to come
    assert replies[0].text.startswith(
        "⚠️ Đợt thi đua này không còn trong cấu hình hoặc chưa bắt đầu."
    )
    assert await h.count("SELECT count(*) FROM phase_reports_submitted") == 0


async def test_marking_submitted_is_idempotent_and_audited(hw) -> None:  # type: ignore[no-untyped-def]
    h, ids, _ = hw
    cuong = h.user(11)
    await cuong.send("/baocaodot")
    await cuong.press("Sơ kết Đợt 1")
    button = cuong.last_with_buttons()
    [data] = [b["callback_data"] for row in button.buttons for b in row if "Đánh dấu" in b["text"]]
    replies = await cuong.press_data(button, data)
    assert replies[0].text == (
        f"✅ Đã ghi: Xã Bắc Sơn đã nộp «{SO_KET}» ngày 23/11/2026. "
        "Bot thôi nhắc hạn báo cáo này cho Xã Bắc Sơn."
    )
    h.clock.advance(days=1)
    replies = await cuong.press_data(button, data)  # pressed again, a day later
    assert replies[0].text == f"ℹ️ Xã Bắc Sơn đã đánh dấu nộp «{SO_KET}» ngày 23/11/2026."
    assert await h.count("SELECT count(*) FROM phase_reports_submitted") == 1
    assert (
        await h.count(
            "SELECT count(*) FROM audit_trail WHERE action = 'phase_report_submitted'"
            " AND actor_id = ?",
            (ids["cuong"],),  # fmt: skip
        )
        == 1
    )
    await cuong.send("/baocaodot")
    replies = await cuong.press("Đã nộp báo cáo")
    assert replies[0].text.splitlines() == [
        "📌 Báo cáo sơ kết, tổng kết của Xã Bắc Sơn:",
        f"✅ «{SO_KET}»: đã nộp ngày 23/11/2026.",
        "⏳ «Báo cáo tổng kết»: chưa nộp (hạn 10/08/2027).",
    ]
    await cuong.send("/baocaodot")
    replies = await cuong.press("Sơ kết Đợt 1")
    assert f"ℹ️ Xã Bắc Sơn đã đánh dấu nộp «{SO_KET}» ngày 23/11/2026." in replies[0].text
    assert not any("Đánh dấu" in label for label in replies[0].labels())


async def test_tips_are_listed_with_where_they_stand(hw) -> None:  # type: ignore[no-untyped-def]
    h, ids, _ = hw
    tip = {"source": "residents", "what": "Người lạ hỏi mua đất"}
    await add_report(h, ids["em"], "tip", "2026-11-06", tip, urgent=True)
    cuong = h.user(11)
    await cuong.send("/baocaodot")
    replies = await cuong.press("Sơ kết Đợt 1")
    assert "1 việc tốt; 1 tin báo, vụ cháy." in replies[0].text
    paragraphs, tables, _ = document_text(files(replies)["docx"].file_data or b"")
    assert "Tin báo, tố giác nhận được qua lực lượng: 1." in paragraphs
    assert "Công an xã đã tiếp nhận: 0 (kịp thời: 0)." in paragraphs
    assert row_of(tables, "Tin báo được tiếp nhận")[1:4] == ["100%", "0%", "Chưa đạt"]
    header = next(t[0] for t in tables if t[0][0] == "Số")
    assert header == ["Số", "Loại", "Ngày", "Tổ", "Tình trạng", "Tiếp nhận", "Có mặt kịp thời",
                      "Kết quả xử lý"]  # fmt: skip
    row = row_of(tables, "BC-2026-000006")
    assert row[1:4] == ["Tin báo ANTT", "06/11/2026", "Thôn Khuôn Pinh"]
    assert row[5] == "—"  # nobody has taken it up
