"""The rules of the movement's four-level classification (tốt, khá, trung bình, yếu).

The plans give the four levels and leave the rules to each locality: the Lục Ngạn programme
asks for "tiêu chí đánh giá, phân loại phong trào toàn dân bảo vệ an ninh Tổ quốc theo 4 loại
(tốt, khá, trung bình, yếu)" without setting them. So every threshold here is local practice
(thực tiễn địa phương), configurable as `[[tally.classes]]`, and shown as a suggestion.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.core.targets import TARGET_KEYS

CLASS_LEVELS = ("tot", "kha", "trung_binh", "yeu")  # best first; "yeu" when no rule is met


class ClassRule(BaseModel):
    """One level for one kind of unit; the first rule of its scope a unit meets is its class.

    `scope` "area": a residential area (thôn, tổ dân phố: the unit one team serves), judged on
    its own targets. "commune": any unit above the teams (xã, phường, and higher), judged on
    its residential areas' classes and on its own rolled-up targets.
    """

    model_config = ConfigDict(extra="forbid")

    scope: Literal["area", "commune"]
    level: Literal["tot", "kha", "trung_binh"]
    # Share of the unit's applicable targets met (its own figures; a commune's are the sums
    # of its areas'); targets with nothing to judge are left out of the share.
    min_targets_met: float = Field(default=0.0, ge=0, le=1)
    # Targets that must not be missed (N/A passes): e.g. a reoffence or a serious accident.
    must_meet: list[str] = []
    # Communes only: the share of its rated residential areas classed tốt or khá, and the
    # largest share allowed to be yếu.
    min_areas_good: float = Field(default=0.0, ge=0, le=1)
    max_areas_weak: float = Field(default=1.0, ge=0, le=1)

    @field_validator("must_meet")
    @classmethod
    def _known_targets(cls, value: list[str]) -> list[str]:
        unknown = [k for k in value if k not in TARGET_KEYS]
        if unknown:
            raise ValueError(
                f"unknown target {unknown[0]!r}; use some of: {', '.join(TARGET_KEYS)}"
            )
        return value


# Local practice (thực tiễn địa phương), not from the plans; explained in config.example.toml.
DEFAULT_CLASSES = [
    ClassRule(
        scope="area",
        level="tot",
        min_targets_met=0.9,
        must_meet=["reoffences", "serious_accidents", "weapons", "businesses"],
    ),
    ClassRule(scope="area", level="kha", min_targets_met=0.7, must_meet=["reoffences", "weapons"]),
    ClassRule(scope="area", level="trung_binh", min_targets_met=0.5),
    ClassRule(
        scope="commune",
        level="tot",
        min_areas_good=0.8,
        max_areas_weak=0.0,
        min_targets_met=0.8,
        must_meet=["reoffences", "serious_accidents", "weapons"],
    ),
    ClassRule(
        scope="commune",
        level="kha",
        min_areas_good=0.6,
        max_areas_weak=0.1,
        min_targets_met=0.6,
    ),
    ClassRule(scope="commune", level="trung_binh", max_areas_weak=0.3, min_targets_met=0.4),
]
