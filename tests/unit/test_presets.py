"""Presets for real plans: they load and validate, say where the plan sets each entry, merge
under the config by the documented rule, and point at the file and line of a mistake."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.core.config import ConfigError, load_config
from bot.movement.preset import LOCAL, PresetError, available, load_preset, locate

BAC_SON_DOT_1 = (
    "Thi đua lập thành tích chào mừng kỷ niệm 95 năm Ngày thành lập Đảng Cộng sản Việt Nam "
    "(03/02/1930 - 03/02/2025)"
)
THAI_NGUYEN_DOT_4 = "Thi đua phần đấu hoàn thành vượt mức các chỉ tiêu, nhiệm vụ công tác năm 2025."


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_presets_load() -> None:
    assert available() == ["bac-son-2024-2025", "thai-nguyen-2025"]
    for name in available():
        preset = load_preset(name)
        assert preset.name == name and preset.plans and preset.phases and preset.milestones
        for entry in [*preset.phases, *preset.milestones, *preset.targets]:
            assert entry.source  # where the plan sets it, or local practice


def test_bac_son_has_the_plans_two_phases_and_deadlines() -> None:
    """KH Bắc Sơn, mục II.2: Đợt 1 01/10/2024-03/02/2025, Đợt 2 04/02/2025-19/8/2025; the
    deadlines of the Tuyên Quang plan, mục IV.1: 31/12/2024, 03/02/2025 (sơ kết đợt 1),
    before 10/8/2025 (tổng kết); the launch before 18/10/2024; the 19/8 festival."""
    preset = load_preset("bac-son-2024-2025")
    assert [(p.name, p.start, p.end) for p in preset.phases] == [
        ("Đợt 1", date(2024, 10, 1), date(2025, 2, 3)),
        ("Đợt 2", date(2025, 2, 4), date(2025, 8, 19)),
    ]
    assert preset.phases[0].theme == BAC_SON_DOT_1
    assert preset.phases[1].theme.endswith(
        "và 20 năm Ngày hội toàn dân bảo vệ an ninh Tổ quốc (19/8/2005 - 19/8/2025)"
    )
    assert preset.theme.startswith("Lực lượng mới, khí thế mới")
    due = [(m.due, m.report, m.phase) for m in preset.milestones]
    assert due == [
        (date(2024, 10, 17), "", ""),  # "trước ngày 18/10/2024"
        (date(2024, 12, 30), "", ""),  # "trước ngày 31/12/2024"
        (date(2025, 2, 3), "so_ket", "Đợt 1"),  # "gửi trong ngày 03/02/2025"
        (date(2025, 8, 9), "tong_ket", ""),  # "gửi trước ngày 10/8/2025"
        (date(2025, 8, 19), "", ""),
    ]
    goals = {t.goal: t.value for t in preset.targets}
    assert goals["residents_info"] == 0.9 and goals["good_deeds_per_month"] == 1
    assert goals["reoffences_max"] == 0 and goals["serious_accidents_max"] == 0


def test_thai_nguyen_has_four_quarters_and_local_deadlines() -> None:
    """KH phường Phan Đình Phùng: four phases cover 2025 day after day; the plan gives no
    report dates, so each deadline says it is local practice."""
    preset = load_preset("thai-nguyen-2025")
    phases = preset.phases
    assert [p.name for p in phases] == ["Đợt 1", "Đợt 2", "Đợt 3", "Đợt 4"]
    assert phases[0].start == date(2025, 1, 1) and phases[-1].end == date(2025, 12, 31)
    for before, after in zip(phases, phases[1:], strict=False):
        assert after.start == before.end + timedelta(days=1)
    assert phases[3].theme == THAI_NGUYEN_DOT_4
    reports = [(m.report, m.phase) for m in preset.milestones if m.report]
    assert reports == [
        ("so_ket", "Đợt 1"),
        ("so_ket", "Đợt 2"),
        ("so_ket", "Đợt 3"),
        ("tong_ket", ""),
    ]
    assert all(LOCAL in m.source for m in preset.milestones if m.report)
    assert preset.targets == []  # the plan sets no number: the defaults apply


def test_a_config_selects_a_preset_and_builds_on_it(tmp_path: Path) -> None:
    """Same name replaces in place, other entries come after, a goal in the config wins."""
    path = write(
        tmp_path,
        """
[movement]
preset = "bac-son-2024-2025"

[tally.targets]
residents_info = 0.8

[[tally.phases]]
name = "Đợt 2"
start = 2025-02-04
end = 2025-08-31

[[tally.phases]]
name = "Cao điểm Tết"
start = 2025-01-15
end = 2025-02-15

[[reminders.milestones]]
name = "Họp giao ban quý I"
due = 2025-03-28
""",
    )
    config = load_config(path)
    assert [p.name for p in config.tally.phases] == ["Đợt 1", "Đợt 2", "Cao điểm Tết"]
    assert config.tally.phases[1].end == date(2025, 8, 31) and config.tally.phases[1].theme == ""
    assert config.tally.phases[0].theme == BAC_SON_DOT_1
    names = [m.name for m in config.reminders.milestones]
    assert len(names) == 6 and names[-1] == "Họp giao ban quý I"
    assert config.reminders.milestones[2].report == "so_ket"
    assert config.tally.targets.residents_info == 0.8  # the config's own goal
    assert config.tally.targets.models_recognised == 1  # the preset's


def test_the_old_name_of_a_goal_in_the_config_still_wins(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[movement]\npreset = "bac-son-2024-2025"\n[tally.targets]\nhouseholds_checked = 0.7\n',
    )
    assert load_config(path).tally.targets.residents_info == 0.7


def test_no_preset_changes_nothing(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[movement]\n"))
    assert config.tally.phases == [] and config.reminders.milestones == []


def test_an_unknown_preset_names_the_ones_there_are(tmp_path: Path) -> None:
    path = write(tmp_path, '[movement]\npreset = "bac-son"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == (
        "movement.preset: unknown preset 'bac-son'; use one of: bac-son-2024-2025, "
        "thai-nguyen-2025, or the path of a preset file ending in .toml"
    )


OWN = """# a commune's own preset
name = "xa-a-2026"
title = "Phong trào năm 2026, xã A"
plans = ["KH số 1/KH-BCĐ xã A (2026)"]

[[phases]]
name = "Đợt 1"
start = 2026-01-01
end = 2026-06-30
source = "KH xã A, mục II"

[[phases]]
name = "Đợt 2"
start = 2026-07-01
end = 2026-06-30
source = "KH xã A, mục II"

[[milestones]]
name = "Sơ kết Đợt 3"
due = 2026-07-05
report = "so_ket"
phase = "Đợt 3"
source = "thực tiễn địa phương"
"""

# the same, Đợt 2 ending after it starts: only the milestone is wrong
PHASES_FIXED = OWN.replace(
    "start = 2026-07-01\nend = 2026-06-30", "start = 2026-07-01\nend = 2026-12-31"
)
assert PHASES_FIXED != OWN


def test_a_preset_of_ones_own_is_read_next_to_the_config(tmp_path: Path) -> None:
    write(
        tmp_path,
        PHASES_FIXED.replace("Đợt 3", "Đợt 2"),
        "xa-a.toml",
    )
    config = load_config(write(tmp_path, '[movement]\npreset = "xa-a.toml"\n'))
    assert [p.name for p in config.tally.phases] == ["Đợt 1", "Đợt 2"]
    assert config.reminders.milestones[0].phase == "Đợt 2"


def test_mistakes_in_a_preset_name_the_file_and_the_line(tmp_path: Path) -> None:
    own = write(tmp_path, OWN, "xa-a.toml")
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, '[movement]\npreset = "xa-a.toml"\n'))
    assert str(err.value) == (
        f"{own}: invalid preset:\n  line 15: phases.1.end: phase 'Đợt 2' ends before it starts"
    )
    write(
        tmp_path,
        PHASES_FIXED,
        "xa-a.toml",
    )
    with pytest.raises(PresetError) as err2:
        load_preset(str(own))
    assert str(err2.value) == (
        f"{own}: invalid preset:\n"
        "  line 22: milestones.0.phase: 'Đợt 3' names no phase of this preset; "
        "use one of: Đợt 1, Đợt 2"
    )


def test_a_bad_value_or_key_points_at_its_own_line(tmp_path: Path) -> None:
    own = write(
        tmp_path,
        OWN.replace("due = 2026-07-05", 'due = 2026-07-05\nwho = ["officer"]').replace(
            "end = 2026-06-30\nsource", "end = 2026-13-30\nsource", 1
        ),
        "xa-b.toml",
    )
    with pytest.raises(PresetError) as err:
        load_preset(str(own))
    message = str(err.value)
    assert "not valid TOML" in message and "(at line 9," in message  # tomllib's position
    fixed = write(tmp_path, OWN.replace("due = 2026-07-05", "due = 2026-07-05\nwho = 1"), "x.toml")
    with pytest.raises(PresetError) as err:
        load_preset(str(fixed))
    assert "  line 21: milestones.0.who: unknown key" in str(err.value)


def test_locate_finds_keys_in_arrays_of_tables() -> None:
    assert locate(OWN, ("name",)) == 2
    assert locate(OWN, ("phases", 0, "start")) == 8
    assert locate(OWN, ("phases", 1, "end")) == 15
    assert locate(OWN, ("phases", 1, "units")) == 12  # missing: its table's header
    assert locate(OWN, ("targets", 0)) == 1  # nothing fits


def test_preset_list_and_show(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = write(tmp_path, '[movement]\npreset = "thai-nguyen-2025"\n')
    assert main(["--config", str(config), "preset", "list"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("bac-son-2024-2025\tPhong trào thi đua đặc biệt")
    assert "thai-nguyen-2025\t" in out and "(config: preset = 'thai-nguyen-2025')" in out
    assert main(["--config", str(config), "preset", "show", "bac-son-2024-2025"]) == 0
    out = capsys.readouterr().out
    assert "  Đợt 1: 01/10/2024 – 03/02/2025  [KH Bắc Sơn (10/2024), mục II.2]" in out
    assert "  03/02/2025: Báo cáo sơ kết Đợt 1 (gửi trong ngày 03/02/2025)" in out
    assert "  residents_info = 0.9  [4.4, chú thích 3:" in out
    broken = write(tmp_path, OWN, "broken.toml")
    assert main(["--config", str(config), "preset", "show", str(broken)]) == 2
    assert "line 15: phases.1.end: phase 'Đợt 2' ends before it starts" in capsys.readouterr().err
