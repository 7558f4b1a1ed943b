"""Unit paths written in the config name their units however they were typed."""

from __future__ import annotations

import unicodedata

import pytest
from pydantic import ValidationError

from bot.core.config import Milestone, Phase, TallySection

STORED = "Tỉnh Lạng Sơn/Xã Bắc Sơn"
# As people type it: spaces around '/', a trailing '/', Vietnamese in decomposed Unicode
# (Unikey's "Unicode tổ hợp"). Before, such a path matched no stored unit and the override,
# the milestone's audience or the phase's audience was silently empty.
TYPED = unicodedata.normalize("NFD", " Tỉnh Lạng Sơn / Xã Bắc Sơn /")


def test_the_typed_path_differs_from_the_stored_one() -> None:
    assert TYPED != STORED


def test_an_override_milestone_and_phase_read_the_path_as_stored() -> None:
    settings = TallySection.model_validate({"overrides": [{"unit": TYPED, "weapons_cases_max": 1}]})
    assert settings.overrides[0].unit == STORED
    milestone = Milestone.model_validate({"name": "Báo cáo", "due": "2025-02-03", "unit": TYPED})
    assert milestone.unit == STORED
    assert Milestone.model_validate({"name": "Báo cáo", "due": "2025-02-03"}).unit == ""
    phase = Phase.model_validate(
        {"name": "Đợt 1", "start": "2025-01-01", "end": "2025-03-31", "units": [TYPED]}
    )
    assert phase.units == [STORED]


@pytest.mark.parametrize(
    "config",
    [
        lambda p: TallySection.model_validate({"overrides": [{"unit": p, "reoffences_max": 1}]}),
        lambda p: Milestone.model_validate({"name": "Báo cáo", "due": "2025-02-03", "unit": p}),
        lambda p: Phase.model_validate(
            {"name": "Đợt 1", "start": "2025-01-01", "end": "2025-03-31", "units": [p]}
        ),
    ],
)
def test_a_path_with_an_empty_name_is_refused(config: object) -> None:
    with pytest.raises(ValidationError, match="has an empty name between '/' separators"):
        config("Tỉnh Lạng Sơn//Xã Bắc Sơn")  # type: ignore[operator]
