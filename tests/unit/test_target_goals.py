"""Goals per unit and the conditions that ask the target fields, without a database."""

from __future__ import annotations

import io
import unicodedata

import pytest
from openpyxl import load_workbook
from pydantic import ValidationError

from bot.core.config import TallySection, TallyTargets
from bot.core.targets import CATALOGUE, target
from bot.reports.fielddef import Condition
from bot.tally.goals import GoalBook, ancestors, configured
from bot.tally.render import workbook
from storage.target_overrides import StoredGoal
from tests.support.workbook import headers, lines
from tests.unit.test_render import build_tally, labels

P = "Tỉnh A"
X = "Tỉnh A/Xã X"
T = "Tỉnh A/Xã X/Thôn T"


def _stored(path: str, key: str, value: float) -> StoredGoal:
    return StoredGoal(1, path, key, value, "Lê Thị Hà", "2026-11-30T08:00:00+07:00")


def test_ancestors_nearest_first() -> None:
    assert ancestors(T) == [T, X, P]


def test_the_nearest_unit_wins_and_a_command_beats_the_config_on_one_unit() -> None:
    settings = TallySection.model_validate(
        {
            "overrides": [
                {"unit": P, "residents_info": 0.8, "good_deeds_per_month": 2},
                {"unit": X, "residents_info": 0.85, "tip_ack_minutes": 120},
            ]
        }
    )
    book = GoalBook(settings.targets, configured(settings), [_stored(X, "residents_info", 0.95)])
    goals = book.goals(T)
    assert goals.residents_info == 0.95  # X's command over X's config over P's config
    assert goals.good_deeds_per_month == 2 and isinstance(goals.good_deeds_per_month, int)
    assert goals.tip_ack_minutes == 120
    assert goals.patrol_participation == TallyTargets().patrol_participation
    applied = book.applied(T)
    assert (applied["residents_info"].origin, applied["residents_info"].unit_path) == (
        "command",
        X,
    )
    assert (applied["good_deeds_per_month"].origin, applied["good_deeds_per_month"].unit_path) == (
        "config",
        P,
    )
    assert book.goals("Tỉnh B") is settings.targets  # elsewhere: the defaults themselves
    assert [e.unit_path for e in book.entries(X)] == [P, P, X, X]  # X: the command shadows
    assert book.entries("Tỉnh B") == []


@pytest.mark.parametrize(
    ("override", "problem"),
    [
        ({"unit": X, "residents_info": 1.5}, "less than or equal to 1"),
        ({"unit": X, "tip_ack_minutes": 0}, "greater than or equal to 1"),
        ({"unit": X, "bogus": 1}, "Extra inputs are not permitted"),
        ({"unit": X}, "at least one [tally.targets] key"),
    ],
)
def test_config_overrides_are_checked_like_the_targets(
    override: dict[str, object], problem: str
) -> None:
    with pytest.raises(ValidationError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        TallySection.model_validate({"overrides": [override]})


def test_a_configured_unit_path_names_the_unit_however_it_was_typed() -> None:
    """Spaces around '/' and decomposed Vietnamese (Unikey's "Unicode tổ hợp") name the same
    unit as its stored path (NFC, segments stripped); before, such an override never applied
    and nothing said so."""
    typed = unicodedata.normalize("NFD", "Tỉnh Lạng Sơn / Xã Bắc Sơn /")
    assert typed != "Tỉnh Lạng Sơn/Xã Bắc Sơn"
    settings = TallySection.model_validate({"overrides": [{"unit": typed, "residents_info": 0.8}]})
    assert configured(settings) == {"Tỉnh Lạng Sơn/Xã Bắc Sơn": {"residents_info": 0.8}}
    with pytest.raises(ValidationError, match="has an empty name between '/' separators"):
        TallySection.model_validate(
            {"overrides": [{"unit": "Tỉnh A//Xã X", "weapons_cases_max": 1}]}
        )


def test_above_ninety_percent_is_strict() -> None:
    residents = target("residents_info")
    assert residents.met(0.9, 0.9) is False
    assert residents.met(0.91, 0.9) is True
    assert target("businesses").met(0, 0) is True and target("businesses").met(1, 0) is False


def test_conditions_equals_above_filled() -> None:
    above = Condition(field="n", above=0)
    assert not above.holds({}) and not above.holds({"n": 0}) and above.holds({"n": 2})
    assert not above.holds({"n": True})  # a yes/no is not a count
    filled = Condition(field="name", filled=True)
    assert not filled.holds({}) and not filled.holds({"name": ""}) and filled.holds({"name": "A"})
    equals = Condition(field="k", equals=["traffic"])
    assert equals.holds({}) and equals.holds({"k": "traffic"}) and not equals.holds({"k": "x"})
    with pytest.raises(ValidationError, match="exactly one of"):
        Condition(field="k")
    with pytest.raises(ValidationError, match="exactly one of"):
        Condition(field="k", equals=["a"], above=1)


def test_the_targets_sheet_lists_every_target_and_the_goals_applied() -> None:
    tally = build_tally()
    settings = TallySection.model_validate(
        {"overrides": [{"unit": "Tỉnh Lạng Sơn/Xã Bắc Sơn", "residents_info": 0.95}]}
    )
    tally.goals = GoalBook(
        settings.targets,
        configured(settings),
        [_stored("Tỉnh Lạng Sơn/Xã Vũ Lễ", "good_deeds_per_month", 2)],
    )
    book = load_workbook(io.BytesIO(workbook(tally, [], labels())))
    ws = book["Chỉ tiêu"]
    assert headers(ws)[:7] == [
        "Nội dung", "Chỉ tiêu", "Mã", "Nguồn", "Lời văn bản", "Bot đo được", "Mặc định",
    ]  # fmt: skip
    body = [list(row) for row in lines(ws)]  # the table under the title block
    keys = [row[2] for row in body]
    for t in CATALOGUE:
        assert (t.goal_field or t.key) in keys
    residents = [row for row in body if row[2] == "residents_info"]
    assert residents[0][3].startswith("Văn bản: KH phát động phong trào thi đua đặc biệt")
    assert "trên 90% thông tin về nhân khẩu" in residents[0][4]
    assert residents[0][6] == "trên 90%" and residents[0][7] is None
    assert residents[1][7:] == [
        "Tỉnh Lạng Sơn/Xã Bắc Sơn",
        "trên 95%",
        "tệp cấu hình, đặt cho Tỉnh Lạng Sơn/Xã Bắc Sơn",
    ]
    deeds = [row for row in body if row[2] == "good_deeds_per_month"]
    assert deeds[1][8] == "từ 2 trở lên"
    assert deeds[1][9] == "đặt bằng lệnh cho Tỉnh Lạng Sơn/Xã Vũ Lễ (Lê Thị Hà, 30/11/2026)"
    compliance = next(row for row in body if row[2] == "daily_compliance")
    assert compliance[3] == "Thực tiễn địa phương"
    share = next(row for row in body if row[2] == "tips_share")
    assert share[5] == "Không (do Công an nắm số liệu)"
