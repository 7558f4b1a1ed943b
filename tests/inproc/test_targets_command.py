"""/chitieu (/targets): who sees a unit's goals, who sets them, refusals that say what to do,
and the tally judging each unit against its own goals (nearest unit wins, a command's value
over the config's on the same unit)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.core.config import Config, TallySection
from bot.core.config_movement import TargetOverride
from bot.core.targets import target
from bot.tally.compute import compute
from bot.tally.periods import month
from storage import units
from tests.inproc.helpers import rows
from tests.support.harness import (
    COMMUNE,
    OTHER_COMMUNE,
    PROVINCE,
    TEAM_A,
    TEAM_B,
    Harness,
    make_harness,
)


async def _people(h: Harness) -> None:
    await h.add_member(1, "Lý Thị Bình", "leader", TEAM_A)
    await h.add_member(2, "Trần Văn Dũng", "officer", COMMUNE)
    await h.add_member(3, "Lê Thị Hà", "supervisor", PROVINCE)
    await h.add_member(4, "Vi Văn Khánh", "officer", OTHER_COMMUNE)
    await h.add_member(5, "Phạm Quân", "admin", PROVINCE)


async def _stored(h: Harness) -> list[dict[str, object]]:
    return await rows(h, "SELECT unit_id, key, value, set_by_name FROM target_overrides")


async def test_a_leader_is_refused(h: Harness) -> None:
    await _people(h)
    replies = await h.user(1).send("/chitieu")
    assert replies[0].text.startswith(
        "Chỉ Công an xã, cấp trên và quản trị viên xem được chỉ tiêu của đơn vị."
    )


async def test_an_officer_sees_the_goals_and_their_sources(h: Harness) -> None:
    await _people(h)
    text = (await h.user(2).send("/chitieu"))[-1].text
    assert text.startswith("🎯 Chỉ tiêu áp dụng cho Xã Bắc Sơn")
    assert "• 4.4 Thông tin nhân khẩu (residents_info): trên 90%. Nguồn: mặc định" in text
    assert "(models_recognised): từ 1 trở lên" in text
    assert "(serious_accidents_max): không quá 0" in text
    assert "residents_info=95%" not in text  # officers do not set goals: no how-to
    english = (await h.user(2).send("/targets Thôn Nà Lẹng"))[-1].text
    assert "Thôn Nà Lẹng" in english


async def test_an_officer_of_another_commune_is_refused(h: Harness) -> None:
    await _people(h)
    replies = await h.user(4).send("/chitieu Xã Bắc Sơn")
    assert replies[-1].text == (
        "Đơn vị này không thuộc phạm vi của bạn. Gõ /chitieu để xem chỉ tiêu của đơn vị mình."
    )
    replies = await h.user(4).send("/chitieu Xã Bắc Sơn residents_info=95%")
    assert "không thuộc phạm vi" in replies[-1].text
    assert await _stored(h) == []


async def test_an_officer_cannot_set(h: Harness) -> None:
    await _people(h)
    replies = await h.user(2).send("/chitieu residents_info=95%")
    assert replies[-1].text.startswith("Chỉ cấp trên (Ban Chỉ đạo, Công an tỉnh) và quản trị")
    assert await _stored(h) == []


async def test_a_supervisor_sets_audited_and_clears(h: Harness) -> None:
    await _people(h)
    ha = h.user(3)
    replies = await ha.send("/chitieu Xã Bắc Sơn residents_info=95% models=2")
    assert replies[0].text == (
        "✅ Đã đặt chỉ tiêu cho Xã Bắc Sơn và các đơn vị trực thuộc: residents_info trên 95%,"
        " models_recognised từ 2 trở lên."
    )
    assert "(residents_info): trên 95%. Nguồn: đặt bằng lệnh cho Tỉnh Lạng Sơn/Xã Bắc Sơn" in (
        replies[-1].text
    )
    async with h.db.read() as tx:
        commune = await units.get_by_path(tx, COMMUNE)
    assert commune is not None
    stored = sorted(await _stored(h), key=lambda r: str(r["key"]))
    assert stored == [
        {
            "unit_id": commune.id,
            "key": "models_recognised",
            "value": 2.0,
            "set_by_name": "Lê Thị Hà",
        },
        {"unit_id": commune.id, "key": "residents_info", "value": 0.95, "set_by_name": "Lê Thị Hà"},
    ]
    trail = await rows(
        h, "SELECT action, subject, detail FROM audit_trail WHERE action LIKE 'targets%'"
    )
    assert [r["action"] for r in trail] == ["targets_set"]
    assert json.loads(str(trail[0]["detail"]))["residents_info"] == {"before": None, "after": 0.95}
    # the team below inherits the commune's goal
    team = (await ha.send("/chitieu Thôn Nà Lẹng"))[-1].text
    assert "(residents_info): trên 95%. Nguồn: đặt bằng lệnh cho Tỉnh Lạng Sơn/Xã Bắc Sơn" in team
    replies = await ha.send("/chitieu Xã Bắc Sơn xoa residents_info")
    assert replies[0].text.startswith("✅ Đã bỏ 1 chỉ tiêu riêng của Xã Bắc Sơn")
    assert [r["key"] for r in await _stored(h)] == ["models_recognised"]
    replies = await ha.send("/chitieu Xã Bắc Sơn xoa tatca")
    assert await _stored(h) == []
    replies = await ha.send("/chitieu Xã Bắc Sơn xoa tatca")
    assert replies[-1].text.startswith("Xã Bắc Sơn không có chỉ tiêu riêng đặt bằng lệnh")


async def test_bad_values_are_refused_and_nothing_is_saved(h: Harness) -> None:
    await _people(h)
    quan = h.user(5)
    cases = {
        "residents_info=1.5": "Giá trị “1.5” không dùng được cho residents_info: tỷ lệ phải từ 0%"
        " đến 100% (gõ 95% hoặc 0,95). Gõ lại, ví dụ: /chitieu residents_info=95%.",
        "models=1.5": "Giá trị “1.5” không dùng được cho models_recognised: phải là số nguyên",
        "tip_ack_minutes=0": "Giá trị “0” không dùng được cho tip_ack_minutes",
        "patrol=nhieu": "Giá trị “nhieu” không dùng được cho patrol_participation",
        "chitieu_la=1": "Không có chỉ tiêu “chitieu_la”. Các chỉ tiêu: tips_acknowledged,",
    }
    for typed, message in cases.items():
        replies = await quan.send(f"/chitieu Xã Bắc Sơn residents_info=95% {typed}")
        assert replies[-1].text.startswith(message), replies[-1].text
    assert await _stored(h) == []
    assert await h.count("SELECT COUNT(*) FROM audit_trail WHERE action LIKE 'targets%'") == 0


async def test_the_tally_uses_each_units_goals(tmp_path: Path) -> None:
    """Nà Lẹng's goal comes from its own stored value, Khuôn Pinh's from the commune's config
    override, the other commune keeps the default; the message says goals differ."""
    config = Config(
        tally=TallySection(
            overrides=[TargetOverride.model_validate({"unit": COMMUNE, "good_deeds_per_month": 3})]
        )
    )
    h = await make_harness(tmp_path, config=config)
    try:
        await _people(h)
        await h.user(3).send("/chitieu Thôn Nà Lẹng good_deeds_per_month=0")
        text = (await h.user(3).send("/chitieu Thôn Khuôn Pinh"))[-1].text
        assert "từ 3 trở lên. Nguồn: tệp cấu hình, đặt cho Tỉnh Lạng Sơn/Xã Bắc Sơn" in text
        replies = await h.user(3).send("/thongke")
        body = "\n".join(m.text for m in replies if m.file_kind is None)
        assert "ℹ️ 2 đơn vị dùng chỉ tiêu riêng, khác mặc định" in body
        async with h.db.read() as tx:
            province = await units.get_by_path(tx, PROVINCE)
            assert province is not None
            tally = await compute(
                tx,
                province,
                month(h.clock.now().date(), 1),
                config,
                ["patrol", "good_deed", "nil"],
                h.clock.now(),
            )
        by_path = {u.path: u for u in tally.units}
        months = 1
        assert by_path[TEAM_A].targets["good_deeds"].goal == 0  # its own, nearest
        assert by_path[TEAM_A].targets["good_deeds"].met is None  # nothing asked of it
        assert by_path[TEAM_B].targets["good_deeds"].goal == 3 * months  # the commune's
        commune = by_path[COMMUNE]
        assert commune.targets["good_deeds"].goal == 0 + 3  # its teams' goals added up
        assert target("good_deeds").met(0, commune.targets["good_deeds"].goal) is False
    finally:
        await h.close()
