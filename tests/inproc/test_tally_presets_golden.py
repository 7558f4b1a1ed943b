"""A golden tally per shipped preset: a small commune, every catalogue target worked by hand.

Each commune is built through storage (tests/inproc/preset_world.py) under a real config file
that selects the preset (`[movement] preset = ...`) and sets one goal of its own for one unit
(`[[tally.overrides]]`). The tally is the real `compute` over the preset's first phase, taken
from `config.tally.phases`; then the workbook the commune police get (openpyxl) and the phase
report (python-docx) must hold the same figures. Everyone serves from 01/09/2024 with no
leave; a nil report filed at 20:00 is on time (deadline 21:00); the other reports fall on
days their reporter already covered, so they never change the days on time.

Words that decide a comparison (bot/core/targets.py): "trên 90%" is strictly above; "100%"
and "ít nhất 01" are at least; "không có", "không để xảy ra" are at most 0. A commune's
shares come from its teams' sums, and its count goals are its teams' goals added up. Local
practice (thực tiễn địa phương, `bot/core/config_movement.py`, `config_classes.py`): the
suggested team rating is "excellent" at 100% of targets met and 95% of days on time with good
deeds, patrol and fires not missed, "good" at 80% and 85%, "done" at 50% and 60%, else
"not_done"; an area (the unit a team serves) is tốt at 90% of its targets with no reoffence,
serious accident, weapons or violating business, khá at 70% with no reoffence or weapons,
trung bình at 50%, else yếu; a commune is tốt with 80% of its areas tốt or khá, none yếu, 80%
of its own targets and no reoffence, serious accident or weapons; khá with 60% of areas tốt
or khá, at most 10% yếu and 60% of targets; trung bình with at most 30% yếu and 40% of
targets; else yếu.
"""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.core.targets import TARGET_KEYS, target
from bot.phasereport.sections import goal_text, value_text
from bot.tally.compute import Tally, UnitTally
from bot.tally.goals import GoalBook, configured
from bot.tally.labels import labels_for, percent
from storage.stores import open_store
from tests.inproc.preset_world import (
    FORMS,
    TEXTS,
    World,
    by_name,
    days,
    write_config,
)
from tests.support import backend

LOCAL_DOC = "Thực tiễn địa phương (không có trong kế hoạch)"
VERDICT = {True: "Đạt", False: "Chưa đạt", None: "Không phát sinh"}


def results(unit: UnitTally) -> dict[str, tuple[float | None, float, bool | None]]:
    """Each target's (value, goal, met), rounded to 4 places for comparison."""
    return {
        k: (None if r.value is None else round(r.value, 4), r.goal, r.met)
        for k, r in unit.targets.items()
    }


async def check_files(
    world: World, tally: Tally, now: datetime
) -> tuple[list[str], dict[str, list[str]]]:
    """The workbook's team sheet marks every team as the tally does, and the phase report's
    target rows hold the root's figures; returns the DOCX paragraphs and its table rows by
    their first cell."""
    labels = labels_for(TEXTS, FORMS, world.config, "vi")
    sheets = await world.workbook_sheets(tally)
    teams = {str(r[labels.t("export.unit")]): r for r in sheets["Các tổ"]}
    shown = {True: 1, False: 0, None: "—"}
    for team in tally.teams:
        row = teams[team.name]
        for key in TARGET_KEYS:
            mark = row[labels.t("export.target_met", target=labels.target(key))]
            assert mark == shown[team.targets[key].met], (team.name, key)
        assert row[labels.t("export.targets_met")] == team.met_count[0]
        assert row[labels.t("classes.column")] == labels.t(f"classes.level.{team.movement_class}")
    goals = sheets["Chỉ tiêu"]
    by_key = {str(r["Mã"]): r for r in goals if r.get("Đơn vị đặt") is None}
    assert by_key["residents_info"]["Lời văn bản"].startswith("Trên địa bàn không có cơ sở")
    assert "cung cấp trên 90% thông tin về nhân khẩu" in by_key["residents_info"]["Lời văn bản"]
    assert by_key["residents_info"]["Nguồn"] == (
        "Văn bản: KH phát động phong trào thi đua đặc biệt, BCĐ 138 huyện Bắc Sơn (10/2024), "
        "chú thích 3"
    )
    for local in ("daily_compliance", "tips_acknowledged_in_time", "visits_on_schedule"):
        assert by_key[local]["Nguồn"] == "Thực tiễn địa phương" and not by_key[local]["Lời văn bản"]

    paragraphs, rows = await world.phase_report(tally.root.path, now)
    first = {row[0]: row for row in rows if row}
    root = tally.root
    for key in TARGET_KEYS:
        t, result = target(key), root.targets[key]
        applicable = root.teams_applicable.get(key, 0)
        assert first[labels.target(key)][:5] == [
            labels.target(key),
            goal_text(labels, t, result.goal),
            value_text(t, result.value),
            VERDICT[result.met],
            f"{root.teams_meeting.get(key, 0)}/{applicable}" if applicable else "—",
        ], key
        source = first[labels.target(key)][5]
        assert source == LOCAL_DOC if not t.from_seed else source.endswith(f"“{t.words}”")
    f = root.figures
    assert (
        f"Toàn đơn vị có {f.teams} tổ, {f.members} thành viên; đã gửi {f.reports} báo cáo; "
        f"tỷ lệ báo cáo đúng hạn {percent(f.compliance)}." in paragraphs
    )
    return paragraphs, {str(k): v for k, v in first.items()}


# ------------------------------------------------------------------------------------------
# Bắc Sơn 2024–2025 (KH phát động phong trào thi đua đặc biệt, BCĐ 138 huyện Bắc Sơn, 10/2024)

BS_X = "Tỉnh Lạng Sơn/Huyện Bắc Sơn/Xã Vũ Lăng"
BS_A, BS_B, BS_C = (f"{BS_X}/Thôn {n}" for n in ("Nà Hin", "Khuổi Tẩu", "Làng Giữa"))
BS_NOW = datetime(2025, 2, 10, 9, 0)  # a week after Đợt 1 ended
TIP_WHAT = "Xe tải va chạm xe máy ở Km 12"
BS_CONFIG = f"""
[movement]
preset = "bac-son-2024-2025"

# Xã Vũ Lăng assigns Thôn Khuổi Tẩu its own goal ("giao chỉ tiêu cụ thể … phù hợp với tình
# hình địa phương"): residents' information on more than 80% of its households.
[[tally.overrides]]
unit = "{BS_B}"
residents_info = 0.8
"""


@pytest.fixture
async def bac_son(tmp_path: Path) -> AsyncIterator[World]:
    db = await open_store(await backend.location(str(tmp_path / "bacson.sqlite3")))
    w = World(db, write_config(tmp_path, BS_CONFIG))
    for path, kind in (("Tỉnh Lạng Sơn", "Tỉnh"), ("Tỉnh Lạng Sơn/Huyện Bắc Sơn", "Huyện")):
        await w.unit(path, kind)
    await w.unit(BS_X, "Xã")
    await w.unit(BS_A, "Thôn", 40)
    await w.unit(BS_B, "Thôn", 25)
    await w.unit(BS_C, "Thôn", 40)
    await w.member("o", BS_X, "officer")
    for key, path, role in (("a1", BS_A, "leader"), ("a2", BS_A, "member"),
                            ("b1", BS_B, "leader"), ("b2", BS_B, "member"),
                            ("c1", BS_C, "leader"), ("c2", BS_C, "member")):  # fmt: skip
        await w.member(key, path, role)
    phase = days("2024-10-01", "2025-02-03")
    await w.nil("a1", phase)
    await w.nil("a2", phase)
    await w.nil("b1", phase)
    await w.nil("b2", [d for d in phase if not "2024-12-01" <= d <= "2024-12-14"])
    await w.nil("c1", days("2024-10-01", "2024-10-31"))
    # 4.1 tips
    await w.report("a1", "tip", "2024-10-05", at="10:00", ack_after=20, state="resolved")
    await w.report("a2", "tip", "2024-12-10", at="09:00", ack_after=30, state="unfounded")
    await w.report("b1", "tip", "2024-11-12", at="08:00", ack_after=120, state="resolved")
    accident = {"kind": "traffic", "serious_accident": True, "what": TIP_WHAT}
    await w.report("c1", "tip", "2024-10-20", accident, at="10:00")  # never taken up
    # 4.2 models
    await w.report("a1", "outreach", "2024-11-05",
                   {"model_name": "Camera an ninh", "model_level": "district"})  # fmt: skip
    await w.report("b1", "outreach", "2024-11-25",
                   {"model_name": "Tổ tự quản", "model_level": "commune"})  # fmt: skip
    # 4.3 fires: the officer's word decides, not the member's "in time"
    fire = {"mobilised": True, "in_time": True}
    await w.report("a1", "fire_rescue", "2024-11-20", fire, at="15:00", confirmed_in_time=True)
    await w.report("c1", "fire_rescue", "2024-10-22", fire, at="15:00", confirmed_in_time=False)
    # 4.4 residents' information (running totals), a violating business, weapons
    informed = "households_informed"
    await w.report("a1", "admin_order", "2024-11-15", {informed: 30})
    await w.report("a2", "admin_order", "2025-01-20", {informed: 40})
    await w.report("a1", "admin_order", "2025-02-05", {informed: 10})  # Đợt 2
    await w.report("b1", "admin_order", "2024-10-15", {informed: 12})
    await w.report("b2", "admin_order", "2025-01-10",
                   {informed: 21, "businesses_checked": 3, "business_violation": True})  # fmt: skip
    await w.report("c1", "admin_order", "2024-10-10", {informed: 30})
    await w.report("c1", "admin_order", "2024-10-25", {informed: 36, "illegal_weapons": True})
    # 4.5 the register: A01 due 15/10 and visited 10/10 (the visit saw "signs", which are no
    # reoffence); B01 due 01/10, visited late on 20/10, reoffended on 05/12
    a01 = await w.register(BS_A, "A01", "2024-09-15", 30)
    b01 = await w.register(BS_B, "B01", "2024-09-01", 30)
    assert a01 != b01
    await w.report(
        "a2", "reintegration", "2024-10-10", {"person": "A01", "reoffending_signs": True}
    )
    await w.report("b1", "reintegration", "2024-10-20", {"person": "B01"})
    await w.reoffence(b01, "2024-12-05")
    # 4.6 patrols
    await w.report("a1", "patrol", "2024-10-03", mates=("a2",))
    await w.report("b1", "patrol", "2024-11-03", mates=("b2",))
    await w.report("c1", "patrol", "2024-10-08")
    # 4.7 good deeds and a commendation ticked for a2 at the end of Đợt 1
    for who, day in (("a1", "2024-10-12"), ("a2", "2024-11-16"), ("a1", "2025-01-18"),
                     ("b1", "2024-12-20")):  # fmt: skip
        await w.report(who, "good_deed", day, {"what": "Giúp dân"})
    await w.commend(BS_A, "a2")
    yield w
    await db.close()


async def test_bac_son_every_target_by_hand(bac_son: World) -> None:
    """Bắc Sơn, Đợt 1 (01/10/2024–03/02/2025: 126 days, 4 months for "mỗi tháng"). The
    preset sets its plan's goals (chú thích 1–6); 4.1's take-up and resolution come from the
    Lục Ngạn programme ("100% tin báo … phải được thụ lý", "trên 90%"); the 60-minute take-up
    (90%), visits on schedule (100%) and days on time (90%) are local practice.

    Thôn Nà Hin (40 households; a1, a2: 126 + 126 of 252 days on time = 100%):
    - 4.1 two tips taken up in 20 and 30 minutes, resolved and found unfounded: 2/2 taken up
      (100% ≥ 100%), 2/2 in 60 minutes (≥ 90%), 2/2 with an outcome (100% > 90%): all met.
    - 4.2 "Camera an ninh" recognised at district level: 1 ≥ "ít nhất 01": met.
    - 4.3 one fire the officer confirmed in time: 1/1, "100% vụ việc … có mặt kịp thời": met.
    - 4.4 no violating business, no weapons (0 ≤ 0: met); residents' information: the latest
      running total of the phase, 40 of 40 (30 before; the 10 of 05/02 is Đợt 2's): 100% >
      90%: met.
    - 4.5 A01 due 15/10, visited 10/10: 1/1 on schedule; the visit's "signs" are no
      reoffence: 0, "không để xảy ra … tái phạm": met.
    - 4.6 a1 patrolled with a2: 2/2 = "100% lực lượng": met; no serious accident: met.
    - 4.7 3 good deeds + a2's commendation = 4 ≥ 4 × "ít nhất 01 … hoặc có cá nhân được biểu
      dương, khen thưởng": met. Days on time 100% ≥ 90%: met.
    14/14 → suggested "excellent" (100% of targets, 100% of days); area "tốt".

    Thôn Khuổi Tẩu (25 households, the commune's own goal "trên 80%"; b1 126 + b2 112 (not
    01–14/12) = 238/252 = 94.4%):
    - 4.1 one tip taken up after 120 minutes, resolved: 1/1 taken up (met), 0/1 in time
      (missed), 1/1 outcome (met).
    - 4.2 "Tổ tự quản" recognised only by the commune: 0 < 1: missed. 4.3 no fire: N/A.
    - 4.4 one violating business: 1 > 0: missed; no weapons: met; residents' information
      21/25 = 84% (latest, the 12 of 15/10 is not added): above its own 80%: met (the plan's
      "trên 90%" would miss it).
    - 4.5 B01 due 01/10, visited only on 20/10: 0/1 (missed); one reoffence: missed.
    - 4.6 b1 patrolled with b2: 2/2: met; no serious accident: met.
    - 4.7 one good deed < 4: missed. Days on time 94.4% ≥ 90%: met.
    7/13 = 54% → "done" (≥ 50%, 94% of days ≥ 60%); area "trung bình" (≥ 50%, < 70%).

    Thôn Làng Giữa (40 households; c1 reports on the 31 days of October, c2 never: 31/252):
    - 4.1 one tip (a serious traffic accident) never taken up: 0/1 three times: missed.
    - 4.2 no model: missed. 4.3 one fire confirmed late (the member said in time): 0/1.
    - 4.4 no violating business: met; weapons found: missed; residents' information: latest
      36 of 40 = 90%, not "trên 90%": missed (a sum, 66, would have passed).
    - 4.5 nobody on the register: N/A twice. 4.6 c1 patrolled alone: 1/2, missed; the serious
      accident: 1 > 0, "không để xảy ra tai nạn giao thông nghiêm trọng": missed.
    - 4.7 no good deed: 0 < 4, missed. Days on time 12%: missed.
    1/12 → "not_done"; area "yếu".

    Xã Vũ Lăng (sums of the three; goals 0.9 for shares, count goals added up):
    tips taken up 3/4 = 75%, in time 2/4 = 50%, with an outcome 3/4 = 75%: missed; models 1 <
    3; fires 1/2; businesses 1 > 0; residents' information 97/105 = 92.4% > 90%: met;
    weapons 1; reoffences 1; visits 1/2; patrol 5/6 = 83%; serious accidents 1; good deeds
    4 + 1 commended = 5 < 12; days on time 521/756 = 68.9%. 1/14 met. Areas: tốt 1,
    trung bình 1, yếu 1 (33% yếu > 30%): the commune is "yếu".
    """
    w = bac_son
    config = w.config
    assert config.movement.preset == "bac-son-2024-2025"
    assert [p.name for p in config.tally.phases] == ["Đợt 1", "Đợt 2"]
    assert config.tally.targets.model_fields_set == {
        "models_recognised", "fire_in_time", "businesses_violating_max", "residents_info",
        "weapons_cases_max", "reoffences_max", "patrol_participation",
        "serious_accidents_max", "good_deeds_per_month"}  # fmt: skip
    tally = await w.tally(BS_X, BS_NOW)
    assert (tally.period.start, tally.period.end) == (date(2024, 10, 1), date(2025, 2, 3))
    units = by_name(tally)
    a, b, c, x = (
        units[n] for n in ("Thôn Nà Hin", "Thôn Khuổi Tẩu", "Thôn Làng Giữa", "Xã Vũ Lăng")
    )
    assert tally.goals is not None and tally.goals.goals(BS_B).residents_info == 0.8
    assert tally.goals.goals(BS_A).residents_info == 0.9
    assert results(a) == {
        "tips_acked": (1.0, 1.0, True),
        "tips_in_time": (1.0, 0.9, True),
        "tips_resolved": (1.0, 0.9, True),
        "models": (1, 1.0, True),
        "fire_in_time": (1.0, 1.0, True),
        "businesses": (0, 0.0, True),
        "residents_info": (1.0, 0.9, True),
        "weapons": (0, 0.0, True),
        "reoffences": (0, 0.0, True),
        "visits": (1.0, 1.0, True),
        "patrol": (1.0, 1.0, True),
        "serious_accidents": (0, 0.0, True),
        "good_deeds": (4, 4.0, True),
        "compliance": (1.0, 0.9, True),
    }
    assert (a.figures.households_informed, a.figures.commended, a.figures.supervised) == (40, 1, 1)
    assert (a.met_count, a.rating, a.movement_class) == ((14, 14), "excellent", "tot")
    assert results(b) == {
        "tips_acked": (1.0, 1.0, True),
        "tips_in_time": (0.0, 0.9, False),
        "tips_resolved": (1.0, 0.9, True),
        "models": (0, 1.0, False),
        "fire_in_time": (None, 1.0, None),
        "businesses": (1, 0.0, False),
        "residents_info": (0.84, 0.8, True),
        "weapons": (0, 0.0, True),
        "reoffences": (1, 0.0, False),
        "visits": (0.0, 1.0, False),
        "patrol": (1.0, 1.0, True),
        "serious_accidents": (0, 0.0, True),
        "good_deeds": (1, 4.0, False),
        "compliance": (round(238 / 252, 4), 0.9, True),
    }
    assert (b.met_count, b.rating, b.movement_class) == ((7, 13), "done", "trung_binh")
    assert results(c) == {
        "tips_acked": (0.0, 1.0, False),
        "tips_in_time": (0.0, 0.9, False),
        "tips_resolved": (0.0, 0.9, False),
        "models": (0, 1.0, False),
        "fire_in_time": (0.0, 1.0, False),
        "businesses": (0, 0.0, True),
        "residents_info": (0.9, 0.9, False),
        "weapons": (1, 0.0, False),
        "reoffences": (None, 0.0, None),
        "visits": (None, 1.0, None),
        "patrol": (0.5, 1.0, False),
        "serious_accidents": (1, 0.0, False),
        "good_deeds": (0, 4.0, False),
        "compliance": (round(31 / 252, 4), 0.9, False),
    }
    assert (c.met_count, c.rating, c.movement_class) == ((1, 12), "not_done", "yeu")
    assert results(x) == {
        "tips_acked": (0.75, 1.0, False),
        "tips_in_time": (0.5, 0.9, False),
        "tips_resolved": (0.75, 0.9, False),
        "models": (1, 3.0, False),
        "fire_in_time": (0.5, 1.0, False),
        "businesses": (1, 0.0, False),
        "residents_info": (round(97 / 105, 4), 0.9, True),
        "weapons": (1, 0.0, False),
        "reoffences": (1, 0.0, False),
        "visits": (0.5, 1.0, False),
        "patrol": (round(5 / 6, 4), 1.0, False),
        "serious_accidents": (1, 0.0, False),
        "good_deeds": (5, 12.0, False),
        "compliance": (round(521 / 756, 4), 0.9, False),
    }
    assert x.teams_meeting == {
        "tips_acked": 2, "tips_in_time": 1, "tips_resolved": 2, "models": 1, "fire_in_time": 1,
        "businesses": 2, "residents_info": 2, "weapons": 2, "reoffences": 1, "visits": 1,
        "patrol": 2, "serious_accidents": 2, "good_deeds": 1, "compliance": 2}  # fmt: skip
    assert x.teams_applicable == {
        **{k: 3 for k in TARGET_KEYS},
        "fire_in_time": 2,
        "reoffences": 2,
        "visits": 2,
    }
    assert (x.met_count, x.rating, x.movement_class) == ((1, 14), None, "yeu")
    assert (a.figures.reports, b.figures.reports, c.figures.reports) == (263, 245, 36)
    assert x.figures.reports == 263 + 245 + 36
    assert [u.name for u in tally.ranked()] == ["Thôn Nà Hin", "Thôn Khuổi Tẩu", "Thôn Làng Giữa"]


async def test_bac_son_files_hold_the_same_figures(bac_son: World) -> None:
    """The workbook and the sơ kết report of Xã Vũ Lăng say what the tally above says."""
    tally = await bac_son.tally(BS_X, BS_NOW)
    paragraphs, rows = await check_files(bac_son, tally, BS_NOW)
    for line in (
        "Tin báo, tố giác nhận được qua lực lượng: 4.",
        "Công an xã đã tiếp nhận: 3 (kịp thời: 2).",
        "Mô hình được Công an cấp huyện trở lên biểu dương, ghi nhận: 1.",
        "Có mặt kịp thời (Công an xã xác nhận): 1/2.",
        "Hộ đã cung cấp thông tin nhân khẩu: 97/105 hộ.",
        "Cơ sở kinh doanh có điều kiện về ANTT vi phạm: 1.",
        "Người trong danh sách quản lý: 2.",
        "Gặp đúng hạn: 1/2 lượt.",
        "Trường hợp tái phạm: 1.",
        "Thành viên tham gia tuần tra: 5/6.",
        "Tai nạn giao thông nghiêm trọng trên địa bàn: 1.",
        "Việc tốt được báo cáo: 4.",
        "Tổ, cá nhân được biểu dương, khen thưởng: 1.",
    ):
        assert line in paragraphs, line
    assert rows["Thông tin nhân khẩu"][1:5] == ["trên 90%", "92%", "Đạt", "2/3"]
    assert rows["Tuần tra"][1:5] == ["100%", "83%", "Chưa đạt", "2/3"]
    assert rows["Việc tốt"][1:5] == ["từ 12 trở lên", "5", "Chưa đạt", "1/3"]
    assert rows["Không tái phạm"][1:5] == ["không có", "1", "Chưa đạt", "1/2"]
    assert rows["Báo cáo đúng hạn"][1:6] == ["từ 90% trở lên", "68%", "Chưa đạt", "2/3", LOCAL_DOC]
    assert rows["1"][1:3] == ["Thôn Nà Hin", "14/14"]  # the best team first
    sheets = await bac_son.workbook_sheets(tally)
    override = [r for r in sheets["Chỉ tiêu"] if r.get("Đơn vị đặt") == BS_B]
    assert [(r["Mã"], r.get("Giá trị áp dụng")) for r in override] == [
        ("residents_info", "trên 80%")
    ]
    assert override[0]["Đặt bởi"] == f"tệp cấu hình, đặt cho {BS_B}"


# ------------------------------------------------------------------------------------------
# Thái Nguyên 2025 (KH phát động phong trào thi đua "Bảo vệ an ninh Tổ quốc" năm 2025, BCĐ
# phường Phan Đình Phùng): four quarterly phases, no targets of its own.

TN_W = "Tỉnh Thái Nguyên/Thành phố Thái Nguyên/Phường Phan Đình Phùng"
TN_5, TN_9 = f"{TN_W}/Tổ dân phố 5", f"{TN_W}/Tổ dân phố 9"
TN_NOW = datetime(2025, 4, 3, 9, 0)  # three days after Đợt 1 ended
TN_CONFIG = f"""
[movement]
preset = "thai-nguyen-2025"

# The ward assigns its own patrol goal for all its tổ dân phố (the plan sets none).
[[tally.overrides]]
unit = "{TN_W}"
patrol_participation = 0.5
"""


@pytest.fixture
async def thai_nguyen(tmp_path: Path) -> AsyncIterator[World]:
    db = await open_store(await backend.location(str(tmp_path / "thainguyen.sqlite3")))
    w = World(db, write_config(tmp_path, TN_CONFIG))
    await w.unit("Tỉnh Thái Nguyên", "Tỉnh")
    await w.unit("Tỉnh Thái Nguyên/Thành phố Thái Nguyên", "Thành phố")
    await w.unit(TN_W, "Phường")
    await w.unit(TN_5, "Tổ dân phố", 60)
    await w.unit(TN_9, "Tổ dân phố")  # household count not known
    await w.member("o", TN_W, "officer")
    for key, path, role in (("t1", TN_5, "leader"), ("t2", TN_5, "member"),
                            ("t3", TN_5, "member"), ("u1", TN_9, "leader"),
                            ("u2", TN_9, "member")):  # fmt: skip
        await w.member(key, path, role)
    quarter = days("2025-01-01", "2025-03-31")
    for key in ("t1", "t2", "t3", "u1"):
        await w.nil(key, quarter)
    await w.nil("u2", days("2025-01-01", "2025-02-14"))
    # Tổ dân phố 5
    await w.report("t2", "tip", "2025-01-08", at="10:00", ack_after=45, state="resolved")
    await w.report("t1", "outreach", "2025-02-12",
                   {"model_name": "Tổ tự quản về ANTT", "model_level": "district"})  # fmt: skip
    await w.report("t1", "admin_order", "2025-01-15", {"households_informed": 48})
    await w.report("t3", "admin_order", "2025-03-20", {"households_informed": 55})
    await w.report("t1", "patrol", "2025-01-10", mates=("t2",))
    await w.report("t1", "good_deed", "2025-02-01", {"what": "Giúp dân"})
    await w.report("t3", "good_deed", "2025-03-05", {"what": "Giúp dân"})
    await w.commend(TN_5, None)  # the team itself, at the end of Đợt 1
    # Tổ dân phố 9
    await w.report("u1", "tip", "2025-01-20", at="09:00", ack_after=90, state="forwarded")
    fire = {"mobilised": True, "in_time": True}
    await w.report("u2", "fire_rescue", "2025-02-03", fire, at="15:00", confirmed_in_time=True)
    u01 = await w.register(TN_9, "U01", "2024-12-01", 30)
    await w.report("u1", "reintegration", "2025-01-25", {"person": "U01"})
    await w.reoffence(u01, "2025-03-10")
    await w.report("u1", "patrol", "2025-02-20", {"serious_accident": True})
    await w.report("u1", "good_deed", "2025-03-15", {"what": "Giúp dân"})
    yield w
    await db.close()


async def test_thai_nguyen_every_target_by_hand(thai_nguyen: World) -> None:
    """Phường Phan Đình Phùng, Đợt 1 (01/01–31/03/2025: 90 days, 3 months). The plan sets no
    target for the grassroots force, so the bot's default goals apply, and each says where it
    comes from: from the Bắc Sơn plan (KH phát động phong trào thi đua đặc biệt, BCĐ 138
    huyện Bắc Sơn, 10/2024: 4.2 "ít nhất 01 mô hình", 4.3 "100% vụ việc … có mặt kịp thời",
    4.4 "không có cơ sở … vi phạm", "trên 90% thông tin về nhân khẩu", "không có … vũ khí",
    4.5 "không để xảy ra … tái phạm", 4.6 "100% lực lượng … tuần tra" and "không để xảy ra
    tai nạn giao thông nghiêm trọng", 4.7 "mỗi tháng … ít nhất 01 việc tốt hoặc có cá nhân
    được biểu dương, khen thưởng"); from the Lục Ngạn programme (4.1 "100% tin báo … được thụ
    lý", resolved "trên 90%"); local practice: take-up within 60 minutes (90%), visits on
    schedule (100%), days on time (90%). The ward's own goal: patrol 50% (not the plan's 100%).

    Tổ dân phố 5 (60 households; t1, t2, t3 every day: 270/270 = 100%):
    - 4.1 one tip taken up in 45 minutes, resolved: 1/1 three times: met.
    - 4.2 a model recognised at district level: 1 ≥ 1: met. 4.3 no fire: N/A.
    - 4.4 no violating business, no weapons: met; residents' information: latest 55 of 60 =
      91.7% > 90%: met.
    - 4.5 nobody on the register: N/A twice.
    - 4.6 t1 patrolled with t2: 2/3 = 66.7% ≥ the ward's 50%: met (the default 100% would
      miss it); no serious accident: met.
    - 4.7 two good deeds + the team's commendation = 3 ≥ 3 × 1: met. Days on time: met.
    11/11 → "excellent"; area "tốt".

    Tổ dân phố 9 (households unknown; u1 90 days, u2 45 (to 14/02): 135/180 = 75%):
    - 4.1 one tip taken up after 90 minutes, forwarded to the competent body: taken up 1/1
      (met), in time 0/1 (missed), with an outcome 1/1 (met: forwarding is an outcome).
    - 4.2 no model: missed. 4.3 one fire confirmed in time: 1/1: met.
    - 4.4 no violating business, no weapons: met; residents' information: N/A (no count).
    - 4.5 U01 on the register since 01/12/2024, every 30 days: due 31/12, before the phase,
      so due again 30/01; visited 25/01: 1/1 met; a reoffence on 10/03: 1 > 0, missed.
    - 4.6 u1 patrolled alone: 1/2 = 50% ≥ 50%: met; that patrol met a serious traffic
      accident: 1 > 0, missed.
    - 4.7 one good deed < 3: missed. Days on time 75% < 90%: missed.
    7/13 = 54% → "done" (75% of days ≥ 60%); area "trung bình".

    The ward (sums): tips taken up 2/2 (met), in time 1/2 = 50% (missed), with an outcome
    2/2 (met); models 1 < 2; fires 1/1 (met); businesses 0, weapons 0 (met); residents'
    information 55/60 (only the known count) = 91.7% (met); reoffences 1 (missed); visits 1/1
    (met); patrol 3/5 = 60% ≥ 50% (met); serious accidents 1 (missed); good deeds 3 + 1
    commended = 4 < 6 (missed); days on time 405/450 = 90% ≥ 90% (met). 9/14 = 64%. Areas: tốt
    1, trung bình 1, none yếu: not "khá" (50% of areas tốt or khá < 60%), so "trung bình".
    """
    w = thai_nguyen
    config = w.config
    assert config.movement.preset == "thai-nguyen-2025"
    assert [p.name for p in config.tally.phases] == ["Đợt 1", "Đợt 2", "Đợt 3", "Đợt 4"]
    assert config.tally.targets.model_fields_set == set()  # the defaults, nothing from the plan
    tally = await w.tally(TN_W, TN_NOW)
    assert (tally.period.start, tally.period.end) == (date(2025, 1, 1), date(2025, 3, 31))
    units = by_name(tally)
    t5, t9, ward = (units[n] for n in ("Tổ dân phố 5", "Tổ dân phố 9", "Phường Phan Đình Phùng"))
    assert results(t5) == {
        "tips_acked": (1.0, 1.0, True),
        "tips_in_time": (1.0, 0.9, True),
        "tips_resolved": (1.0, 0.9, True),
        "models": (1, 1.0, True),
        "fire_in_time": (None, 1.0, None),
        "businesses": (0, 0.0, True),
        "residents_info": (round(55 / 60, 4), 0.9, True),
        "weapons": (0, 0.0, True),
        "reoffences": (None, 0.0, None),
        "visits": (None, 1.0, None),
        "patrol": (round(2 / 3, 4), 0.5, True),
        "serious_accidents": (0, 0.0, True),
        "good_deeds": (3, 3.0, True),
        "compliance": (1.0, 0.9, True),
    }
    assert (t5.met_count, t5.rating, t5.movement_class) == ((11, 11), "excellent", "tot")
    assert results(t9) == {
        "tips_acked": (1.0, 1.0, True),
        "tips_in_time": (0.0, 0.9, False),
        "tips_resolved": (1.0, 0.9, True),
        "models": (0, 1.0, False),
        "fire_in_time": (1.0, 1.0, True),
        "businesses": (0, 0.0, True),
        "residents_info": (None, 0.9, None),
        "weapons": (0, 0.0, True),
        "reoffences": (1, 0.0, False),
        "visits": (1.0, 1.0, True),
        "patrol": (0.5, 0.5, True),
        "serious_accidents": (1, 0.0, False),
        "good_deeds": (1, 3.0, False),
        "compliance": (0.75, 0.9, False),
    }
    assert (t9.met_count, t9.rating, t9.movement_class) == ((7, 13), "done", "trung_binh")
    assert results(ward) == {
        "tips_acked": (1.0, 1.0, True),
        "tips_in_time": (0.5, 0.9, False),
        "tips_resolved": (1.0, 0.9, True),
        "models": (1, 2.0, False),
        "fire_in_time": (1.0, 1.0, True),
        "businesses": (0, 0.0, True),
        "residents_info": (round(55 / 60, 4), 0.9, True),
        "weapons": (0, 0.0, True),
        "reoffences": (1, 0.0, False),
        "visits": (1.0, 1.0, True),
        "patrol": (0.6, 0.5, True),
        "serious_accidents": (1, 0.0, False),
        "good_deeds": (4, 6.0, False),
        "compliance": (0.9, 0.9, True),
    }
    assert (ward.met_count, ward.rating, ward.movement_class) == ((9, 14), None, "trung_binh")
    assert (t5.figures.reports, t9.figures.reports) == (277, 140)
    assert [u.name for u in tally.ranked()] == ["Tổ dân phố 5", "Tổ dân phố 9"]


async def test_thai_nguyen_files_hold_the_same_figures(thai_nguyen: World) -> None:
    """The workbook and the sơ kết report of the ward say what the tally above says; the
    ward's own patrol goal is listed as set in the config."""
    tally = await thai_nguyen.tally(TN_W, TN_NOW)
    paragraphs, rows = await check_files(thai_nguyen, tally, TN_NOW)
    for line in (
        "Công an xã đã tiếp nhận: 2 (kịp thời: 1).",
        "Đã có kết quả (giải quyết, chuyển, xác minh không có): 2; còn đang xử lý: 0.",
        "Hộ đã cung cấp thông tin nhân khẩu: 55/60 hộ.",
        "Gặp đúng hạn: 1/1 lượt.",
        "Thành viên tham gia tuần tra: 3/5.",
        "Tai nạn giao thông nghiêm trọng trên địa bàn: 1.",
        "Tổ, cá nhân được biểu dương, khen thưởng: 1.",
    ):
        assert line in paragraphs, line
    assert rows["Tuần tra"][1:5] == ["từ 50% trở lên", "60%", "Đạt", "2/2"]
    assert rows["Việc tốt"][1:5] == ["từ 6 trở lên", "4", "Chưa đạt", "1/2"]
    assert rows["Thông tin nhân khẩu"][1:5] == ["trên 90%", "91%", "Đạt", "1/1"]
    assert rows["Báo cáo đúng hạn"][1:5] == ["từ 90% trở lên", "90%", "Đạt", "1/2"]
    assert rows["1"][1:3] == ["Tổ dân phố 5", "11/11"]
    sheets = await thai_nguyen.workbook_sheets(tally)
    override = [r for r in sheets["Chỉ tiêu"] if r.get("Đơn vị đặt") == TN_W]
    assert [(r["Mã"], r.get("Giá trị áp dụng")) for r in override] == [
        ("patrol_participation", "từ 50% trở lên")
    ]


async def test_a_leaders_workbook_holds_no_tip_or_visit_details(bac_son: World) -> None:
    """The commune police read what a tip said and whom a visit was for; a leader's copy of
    the same workbook lists those reports without their answers."""
    tally = await bac_son.tally(BS_X, BS_NOW)
    officer = await bac_son.workbook_text(tally, "officer")
    assert TIP_WHAT in officer and "A01" in officer
    leader = await bac_son.workbook_text(tally, "leader")
    assert TIP_WHAT not in leader and "A01" not in leader and "B01" not in leader
    assert "(chi tiết chỉ dành cho Công an xã trở lên)" in leader


async def test_an_override_typed_with_spaces_and_decomposed_letters_applies(
    tmp_path: Path,
) -> None:
    """The override of Thôn Khuổi Tẩu typed as people type it (spaces around '/', Vietnamese
    in decomposed Unicode) applies like the golden one: its goal is "trên 80%"."""
    typed = unicodedata.normalize("NFD", " / ".join(BS_B.split("/")))
    config = write_config(tmp_path, BS_CONFIG.replace(BS_B, typed))
    assert config.tally.overrides[0].unit == BS_B
    book = GoalBook(config.tally.targets, configured(config.tally), [])
    assert book.goals(BS_B).residents_info == 0.8
