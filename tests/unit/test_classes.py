"""The plans' four-level classification (tốt, khá, trung bình, yếu) of residential areas and
communes: worked by hand on a small commune, configurable, and always labelled a suggestion
in the chat text, the workbook and the CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from openpyxl import load_workbook

from bot.core.config import TallySection
from bot.core.config_classes import DEFAULT_CLASSES, ClassRule
from bot.core.i18n import Texts
from bot.reports.forms import load_forms
from bot.tally.classes import classify
from bot.tally.compute import Figures, Tally, TargetResult, UnitTally
from bot.tally.labels import Labels
from bot.tally.periods import month_named
from bot.tally.render import team_csv, workbook
from bot.tally.text import TallyWriter
from tests.support.workbook import headers, lines

# Ten targets every unit below is judged on (any ten of the catalogue do).
KEYS = [
    "tips_acked",
    "models",
    "fire_in_time",
    "businesses",
    "weapons",
    "reoffences",
    "patrol",
    "serious_accidents",
    "good_deeds",
    "compliance",
]
SUGGESTION = "Gợi ý xếp loại phong trào (do cấp có thẩm quyền quyết định)"


def _results(missed: set[str], failing: int = 0) -> dict[str, TargetResult]:
    """Ten applicable targets: the `missed` ones and then `failing` more are not met."""
    out = {}
    extra = [k for k in KEYS if k not in missed][::-1][:failing]
    for key in KEYS:
        met = key not in missed and key not in extra
        out[key] = TargetResult(key, 1.0 if met else 0.0, 1.0, met)
    return out


def _unit(uid: int, parent: int | None, path: str, *, team: bool, members: int = 3) -> UnitTally:
    unit = UnitTally(
        unit_id=uid,
        parent_id=parent,
        name=path.rsplit("/", 1)[-1],
        path=path,
        kind="village" if team else "commune",
        depth=path.count("/"),
        is_team=team,
    )
    unit.figures = Figures(teams=1 if team else 0, members=members)
    return unit


def small_province() -> Tally:
    """Xã A has six residential areas, Xã B one; each has ten applicable targets.

    Areas, by the default rules (local practice): tốt = at least 90% of targets met and none
    of reoffences, serious accidents, weapons, businesses missed; khá = at least 70% and no
    reoffence or weapons missed; trung bình = at least 50%; else yếu.
    - Thôn 1: 10/10 met                                   -> tốt
    - Thôn 2: 9/10, patrol missed (not a must)            -> tốt (0.9 >= 0.9)
    - Thôn 3: 9/10, serious accident                      -> khá (a must of tốt; 0.9 >= 0.7)
    - Thôn 4: 8/10, a reoffence and patrol missed         -> trung bình (must of khá; 0.8 >= 0.5)
    - Thôn 5: 4/10                                        -> yếu (0.4 < 0.5)
    - Thôn 6: no members                                  -> not rated, not counted
    - Thôn 7 (Xã B): 10/10                                -> tốt
    Xã A: 5 areas rated: tốt 2, khá 1, trung bình 1, yếu 1 -> tốt or khá 3/5 = 0.6, yếu 1/5
    = 0.2; its own (rolled-up) targets 8/10 with the reoffence missed. Commune rules: tốt needs
    >= 0.8 good, no yếu, 80% targets, no reoffence/accident/weapons -> no; khá needs >= 0.6
    good and <= 0.1 yếu -> no (0.2); trung bình needs <= 0.3 yếu and 40% targets -> yes.
    Xã B: 1/1 good, none yếu, own targets 10/10 -> tốt.
    Tỉnh: its 6 rated areas: tốt 3, khá 1, tb 1, yếu 1 -> good 4/6 = 0.67, yếu 1/6 = 0.17 > 0.1
    -> not khá; <= 0.3 yếu and own targets 9/10 -> trung bình.
    """
    province = _unit(1, None, "Tỉnh T", team=False)
    xa_a = _unit(2, 1, "Tỉnh T/Xã A", team=False)
    xa_b = _unit(3, 1, "Tỉnh T/Xã B", team=False)
    areas = [_unit(10 + i, 2, f"Tỉnh T/Xã A/Thôn {i}", team=True) for i in range(1, 7)]
    areas.append(_unit(17, 3, "Tỉnh T/Xã B/Thôn 7", team=True))
    areas[0].targets = _results(set())
    areas[1].targets = _results({"patrol"})
    areas[2].targets = _results({"serious_accidents"})
    areas[3].targets = _results({"reoffences", "patrol"})
    areas[4].targets = _results(set(), failing=6)
    areas[5].figures.members = 0
    areas[5].targets = _results(set())
    areas[6].targets = _results(set())
    xa_a.targets = _results({"reoffences", "patrol"})
    xa_b.targets = _results(set())
    province.targets = _results({"reoffences"})
    units = [province, xa_a, xa_b, *areas]
    return Tally(
        root=province,
        units=units,
        period=month_named(2026, 11),
        kinds=["patrol", "nil"],
        elapsed_end=date(2026, 11, 30),
        generated_at=datetime(2026, 12, 1, 8, 0),
    )


def classes_of(tally: Tally) -> dict[str, str | None]:
    return {u.name: u.movement_class for u in tally.units}


def test_a_small_province_by_hand() -> None:
    tally = small_province()
    classify(tally.units, DEFAULT_CLASSES)
    assert classes_of(tally) == {
        "Tỉnh T": "trung_binh",
        "Xã A": "trung_binh",
        "Xã B": "tot",
        "Thôn 1": "tot",
        "Thôn 2": "tot",
        "Thôn 3": "kha",
        "Thôn 4": "trung_binh",
        "Thôn 5": "yeu",
        "Thôn 6": None,
        "Thôn 7": "tot",
    }


def test_the_defaults_are_the_configs() -> None:
    assert TallySection().classes == DEFAULT_CLASSES


def test_the_rules_are_configurable() -> None:
    """Allowing a fifth of the areas to be yếu makes Xã A khá (good 0.6, yếu 0.2, targets
    0.8 >= 0.6); a single strict area rule leaves only the perfect areas tốt."""
    rules = [
        ClassRule(scope="area", level="tot", min_targets_met=1.0),
        ClassRule(scope="commune", level="kha", min_areas_good=0.3, max_areas_weak=0.8),
    ]
    tally = small_province()
    classify(tally.units, rules)
    got = classes_of(tally)
    assert [got[f"Thôn {i}"] for i in range(1, 8)] == [
        "tot",
        "yeu",
        "yeu",
        "yeu",
        "yeu",
        None,
        "tot",
    ]
    assert got["Xã A"] == "yeu"  # 1/5 good < 0.3
    assert got["Xã B"] == "kha"
    loose = [*DEFAULT_CLASSES[:3], ClassRule(scope="commune", level="kha", max_areas_weak=0.2)]
    tally = small_province()
    classify(tally.units, loose)
    assert classes_of(tally)["Xã A"] == "kha"


def test_a_rule_names_only_known_targets() -> None:
    try:
        ClassRule(scope="area", level="tot", must_meet=["reoffending"])
    except ValueError as err:
        assert "unknown target 'reoffending'; use some of: tips_acked" in str(err)
    else:
        raise AssertionError("an unknown target was accepted")


def labels() -> Labels:
    return Labels(Texts.load(), load_forms(), "vi", 60)


def test_the_chat_text_marks_classes_as_suggestions() -> None:
    tally = small_province()
    classify(tally.units, DEFAULT_CLASSES)
    text = TallyWriter(labels()).message(tally, "21:00", team_limit=12, max_chars=None)
    assert (
        "⭐ Gợi ý xếp loại phong trào của Tỉnh T: Trung bình (do cấp có thẩm quyền quyết định)"
        in text
    )
    assert "   Khu dân cư (thôn, tổ dân phố): Tốt 3 · Khá 1 · Trung bình 1 · Yếu 1" in text
    # Over two communes a team is named with its commune ("Thôn 3" may exist in both).
    assert "Thôn 3 (Xã A) — đạt 9/10 chỉ tiêu · gợi ý: — · khu dân cư: Khá" in text


def test_a_team_asked_about_shows_its_areas_class() -> None:
    tally = small_province()
    classify(tally.units, DEFAULT_CLASSES)
    area = next(u for u in tally.units if u.name == "Thôn 4")
    alone = Tally(area, [area], tally.period, tally.kinds, tally.elapsed_end, tally.generated_at)
    text = TallyWriter(labels()).message(alone, "21:00", team_limit=12)
    assert "⭐ Gợi ý xếp loại phong trào của Thôn 4: Trung bình" in text


def test_the_workbook_has_the_class_on_every_level_sheet() -> None:
    tally = small_province()
    classify(tally.units, DEFAULT_CLASSES)
    book = load_workbook(io.BytesIO(workbook(tally, [], labels())), read_only=True)
    found: dict[str, object] = {}
    sheets_with_column = 0
    for sheet in book.worksheets:
        names = headers(sheet)
        if SUGGESTION not in names:
            continue
        sheets_with_column += 1
        column = names.index(SUGGESTION)
        for row in lines(sheet):
            if row and row[0]:  # trailing empty cells are not read back
                found[str(row[0])] = row[column] if column < len(row) else None
    assert sheets_with_column >= 3  # teams, communes, the whole unit
    assert found["Thôn 3 (Xã A)"] == "Khá" and found["Thôn 6 (Xã A)"] is None
    assert found["Xã A"] == "Trung bình" and found["Xã B"] == "Tốt"
    assert found["Tỉnh T"] == "Trung bình"


def test_the_csv_has_the_class_column() -> None:
    tally = small_province()
    classify(tally.units, DEFAULT_CLASSES)
    rows = list(csv.reader(io.StringIO(team_csv(tally, labels()).decode("utf-8-sig"))))
    column = rows[0].index(SUGGESTION)
    assert {r[0]: r[column] for r in rows[1:]}["Thôn 5 (Xã A)"] == "Yếu"
    assert {r[0]: r[column] for r in rows[1:]}["Thôn 6 (Xã A)"] == ""
