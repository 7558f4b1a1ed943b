"""Team-mates named on a report: notified, credited (no reminder, not missing in the digest),
able to say "not me"; and a real report and a nil report of the same day cannot both stand."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.inproc.helpers import file_fire, file_patrol, press_data, report_data, rows
from tests.inproc.test_schedule import DIGEST, REMINDER, Team, build, texts
from tests.support.harness import Harness, TgUser

NOTICE = (  # the harness's clock is at 09:00: the patrol typed is the morning's 07:00–08:00
    "👥 Nguyễn Văn An đã ghi bạn vào ca tuần tra hôm nay (07:00–08:00), BC-2026-000001."
    " Bạn được tính là đã đi tuần và đã báo cáo ngày này. Nếu bạn không đi ca này, chọn"
    " “Không phải tôi”."
)
NOT_ME = "🙅 Không phải tôi"


@pytest.fixture
async def team(h: Harness) -> Team:
    return await build(h)


async def add_teammate(an: TgUser, name: str) -> None:
    """Edit An's patrol (BC-2026-000001) to name a team-mate: the edit dialog, not the wizard."""
    await an.send("/baocaocuatoi")
    await an.press("BC-2026-000001")
    await an.press("Sửa")
    await an.press("Tổ viên cùng tham gia")
    await an.press(name)
    await an.press("Xong")
    replies = await an.press("Lưu thay đổi")
    assert replies[-1].text.startswith("✅ Đã lưu thay đổi của báo cáo BC-2026-000001."), replies


async def test_team_mate_is_notified_credited_and_not_reminded(team: Team) -> None:
    h, an, chau = team.h, team.an, team.chau
    await file_patrol(an)
    await add_teammate(an, "Hoàng Minh Châu")
    await h.drain()
    [notice] = [m for m in chau.messages if m.text.startswith("👥")]
    assert notice.text == NOTICE
    assert notice.labels() == [NOT_ME]
    # 19:00: Châu is credited, so only Bình (who filed nothing) is reminded; Đào is on leave
    team.at(19, 0)
    await team.tick_and_drain()
    assert texts(chau, REMINDER) == []
    assert len(texts(team.binh, REMINDER)) == 1
    team.at(21, 5)
    await team.tick_and_drain()
    [digest] = texts(team.binh, DIGEST)
    assert "❗ Chưa báo cáo: 1/3 người\n  • Trần Thị Bình\n" in digest
    assert "Hoàng Minh Châu" not in digest
    # the same edit again sends no second notice
    assert await h.count("SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'credit:%'") == 1


async def test_an_evening_shift_is_tonight_in_the_notice(team: Team) -> None:
    team.at(20, 0)  # before the quiet hours: the notice goes out at once
    await file_patrol(team.an)
    await add_teammate(team.an, "Hoàng Minh Châu")
    await team.h.drain()
    [notice] = [m for m in team.chau.messages if m.text.startswith("👥")]
    assert "ghi bạn vào ca tuần tra tối nay (18:00–19:00), BC-2026-000001." in notice.text


async def test_not_me_uncredits_tells_the_reporter_and_only_once(team: Team) -> None:
    h, an, chau = team.h, team.an, team.chau
    await file_patrol(an)
    await add_teammate(an, "Hoàng Minh Châu")
    await h.drain()
    notice = next(m for m in chau.messages if m.text.startswith("👥"))
    replies = await chau.press(NOT_ME, on=notice)
    assert replies[-1].text == (
        "✅ Đã bỏ tên bạn khỏi báo cáo BC-2026-000001; Nguyễn Văn An đã được báo lại. Nếu ngày"
        " này bạn có việc khác, hãy gửi báo cáo của mình."
    )
    assert await h.count("SELECT COUNT(*) FROM report_participants") == 0
    assert (await report_data(h))["teammates"] == []
    audit = await rows(h, "SELECT member_id, action, at FROM report_audit ORDER BY id")
    assert audit[-1] == {
        "member_id": team.ids["chau"],
        "action": "disown",
        "at": "2026-11-23T09:00:00+07:00",
    }
    await h.drain()
    assert texts(an, "ℹ️") == [
        "ℹ️ Hoàng Minh Châu báo không tham gia nên đã được bỏ khỏi danh sách người cùng đi"
        " trong báo cáo BC-2026-000001 của bạn."
    ]
    # pressed twice (the pressed message lost its button: a stale copy): said so, no change
    replies = await press_data(chau, "notme:1", on=notice)
    assert replies[-1].text == (
        "Tên bạn đã được bỏ khỏi báo cáo BC-2026-000001 rồi, không cần làm lại."
    )
    assert await h.count("SELECT COUNT(*) FROM report_audit WHERE action = 'disown'") == 1
    # un-credited: Châu is reminded again
    team.at(19, 0)
    await team.tick_and_drain()
    assert len(texts(chau, REMINDER)) == 1


async def test_not_me_by_someone_not_named_or_on_a_withdrawn_report(team: Team) -> None:
    h, an, chau, em = team.h, team.an, team.chau, team.em
    await file_patrol(an)
    await add_teammate(an, "Hoàng Minh Châu")
    await h.drain()
    before = await rows(h, "SELECT * FROM report_participants")
    await em.send("/menu")
    for data in ("notme:1", "notme:99", "notme:²"):
        replies = await press_data(em, data, on=em.messages[-1])
        assert replies[-1].text == "Báo cáo này không ghi tên bạn, không có gì để bỏ."
    assert await rows(h, "SELECT * FROM report_participants") == before
    # An withdraws the patrol: Châu is no longer credited, and the button says so
    await an.send("/baocaocuatoi")
    await an.press("BC-2026-000001")
    await an.press("Rút lại")
    await an.press("Đúng, rút lại")
    notice = next(m for m in chau.messages if m.text.startswith("👥"))
    replies = await press_data(chau, "notme:1", on=notice)
    assert replies[-1].text == (
        "Báo cáo BC-2026-000001 đã được rút, bạn không còn được tính theo báo cáo này nên"
        " không cần làm gì."
    )
    assert await h.count("SELECT COUNT(*) FROM report_audit WHERE action = 'disown'") == 0
    team.at(19, 0)
    await team.tick_and_drain()
    assert len(texts(chau, REMINDER)) == 1


async def test_a_real_report_replaces_the_nil_one_and_a_nil_is_refused_after(team: Team) -> None:
    h, an = team.h, team.an
    replies = await an.send("/khongcovuviec")
    assert "(BC-2026-000001)" in replies[0].text
    receipt = await file_patrol(an)
    assert receipt.startswith("✅ Đã lưu báo cáo BC-2026-000002 (🚶 Tuần tra ANTT, ATGT).")
    assert "ℹ️ Báo cáo “Không có vụ việc” ngày 23/11/2026 đã được thay bằng báo cáo này." in receipt
    statuses = await rows(h, "SELECT number, kind, status FROM reports ORDER BY id")
    assert statuses == [
        {"number": "BC-2026-000001", "kind": "nil", "status": "withdrawn"},
        {"number": "BC-2026-000002", "kind": "patrol", "status": "active"},
    ]
    audit = await rows(h, "SELECT report_id, action FROM report_audit ORDER BY id")
    assert audit == [
        {"report_id": 1, "action": "create"},
        {"report_id": 2, "action": "create"},
        {"report_id": 1, "action": "replace"},
    ]
    # now a nil report that day is refused, naming the report
    replies = await an.send("/khongcovuviec")
    assert replies[0].text == (
        "Ngày 23/11/2026 bạn đã gửi báo cáo BC-2026-000002 (🚶 Tuần tra ANTT, ATGT), nên không"
        " báo “không có vụ việc” được nữa. Muốn sửa hoặc rút báo cáo đó, vào “📋 Báo cáo của"
        " tôi”."
    )
    assert await h.count("SELECT COUNT(*) FROM reports") == 2
    # a second real report leaves nothing more to replace
    receipt = await file_fire(an)
    assert "thay bằng" not in receipt


async def test_nil_after_midnight_is_for_the_evening_before(team: Team) -> None:
    an = team.an
    team.at(0, 40, day=24)
    replies = await an.send("/khongcovuviec")
    assert replies[0].text.startswith("✅ Đã ghi nhận: ngày 23/11/2026 không có vụ việc")


async def test_nil_while_credited_as_a_team_mate_is_allowed(team: Team) -> None:
    h, an, chau = team.h, team.an, team.chau
    await file_patrol(an)
    await add_teammate(an, "Hoàng Minh Châu")
    replies = await chau.send("/khongcovuviec")
    assert replies[0].text.startswith("✅ Đã ghi nhận: ngày 23/11/2026 không có vụ việc")
    assert await h.count("SELECT COUNT(*) FROM reports WHERE status = 'active'") == 2


async def test_a_nil_after_midnight_is_stored_for_the_evening_before(team: Team) -> None:
    """At 00:20, before `[reports] day_ends_at` (06:00), "nothing to report" speaks for the
    day that just ended: the message and the stored report both say 23/11 (the nil form has
    no date field, and its day was once dropped for the calendar day), so a patrol filed for
    the evening before replaces it."""
    h, an = team.h, team.an
    h.clock.set(datetime(2026, 11, 24, 0, 20, tzinfo=h.clock.tz))
    replies = await an.send("/khongcovuviec")
    assert "ngày 23/11/2026 không có vụ việc" in replies[0].text
    [nil] = await rows(h, "SELECT kind, report_date FROM reports ORDER BY id")
    assert nil == {"kind": "nil", "report_date": "2026-11-23"}
