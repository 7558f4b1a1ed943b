"""The movement's targets as the plans write them: one catalogue for the tally, the files and
the config.

Each target names the emulation content it belongs to (4.1-4.7 of the plans, or "" for the
daily reporting rule), where it comes from (a seed plan, quoted word for word, or local
practice), how its value compares with its goal, and which `[tally.targets]` key holds the
goal. The workbook prints the words; the tally says "local default" for the rest. Targets
the bot cannot measure (they need figures only the police hold) are listed too, so a
reader sees every target of the plan and which ones the bot judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Op = Literal[">=", ">", "<="]
Measure = Literal["share", "count"]

# The seed plans, by the short names the files print.
BAC_SON = "KH phát động phong trào thi đua đặc biệt, BCĐ 138 huyện Bắc Sơn (10/2024)"
TUYEN_QUANG = "KH phong trào thi đua đặc biệt, UBND tỉnh Tuyên Quang (2024)"
LUC_NGAN = "Chương trình xây dựng phong trào toàn dân bảo vệ ANTQ, huyện Lục Ngạn (2020–2025)"
LOCAL = "local"


@dataclass(frozen=True)
class TargetDef:
    """One target: its result key, content, goal key in `[tally.targets]`, comparison, and
    source (`LOCAL` or a seed's short name with its own words)."""

    key: str
    content: str  # "4.1".."4.7"; "" for the daily reporting rule
    goal_field: str  # the `TallyTargets` field holding the goal ("" when not measured)
    op: Op
    measure: Measure
    source: str
    words: str = ""  # the seed's words, quoted; "" for local practice
    measured: bool = True  # False: listed with the seed's words, judged by people

    @property
    def from_seed(self) -> bool:
        """Whether a plan sets this target (else it is a local default, labelled so)."""
        return self.source != LOCAL

    def met(self, value: float | None, goal: float) -> bool | None:
        """Whether `value` meets `goal` the way the plan words it ("trên 90%" is strictly
        above, "100%" and "ít nhất 01" at least, "không có" at most); None for no value."""
        if value is None:
            return None
        if self.op == ">":
            return value > goal + 1e-9
        if self.op == "<=":
            return value <= goal + 1e-9
        return value >= goal - 1e-9


_NOTE3 = (
    "Trên địa bàn không có cơ sở kinh doanh có điều kiện về ANTT vi phạm quy định của pháp "
    "luật; tích cực tuyên truyền, vận động Nhân dân cung cấp trên 90% thông tin về nhân khẩu "
    "cho Công an cấp xã; không có tình trạng tàng trữ, buôn bán, sử dụng trái phép vũ khí, "
    "vật liệu nổ, công cụ hỗ trợ."
)
_NOTE5 = (
    "100% lực lượng tham gia bảo vệ ANTT ở cơ sở tham gia hỗ trợ Công an cấp xã tuần tra, "
    "bảo đảm trật tự, an toàn giao thông; trên địa bàn không để xảy ra tai nạn giao thông "
    "nghiêm trọng, đặc biệt nghiêm trọng."
)

NOTE3_SOURCE = BAC_SON + ", chú thích 3"
NOTE5_SOURCE = BAC_SON + ", chú thích 5"

CATALOGUE: tuple[TargetDef, ...] = (
    TargetDef(
        "tips_share",
        "4.1",
        "",
        ">=",
        "share",
        TUYEN_QUANG,
        "Phấn đấu có từ 80% trở lên nguồn tin do quần chúng Nhân dân cung cấp cho Công an cấp "
        "xã thông qua lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở.",
        measured=False,
    ),
    TargetDef(
        "tips_acked",
        "4.1",
        "tips_acknowledged",
        ">=",
        "share",
        LUC_NGAN,
        "100% tin báo, tố giác tội phạm của người dân cung cấp phải được thụ lý giải quyết.",
    ),
    TargetDef("tips_in_time", "4.1", "tips_acknowledged_in_time", ">=", "share", LOCAL),
    TargetDef(
        "tips_resolved",
        "4.1",
        "tips_resolved",
        ">",
        "share",
        LUC_NGAN,
        "Tỷ lệ giải quyết tin báo, tố giác tội phạm đạt trên 90% và hạn chế tối đa tin báo, "
        "tố giác tội phạm quá thời hạn giải quyết.",
    ),
    TargetDef(
        "models",
        "4.2",
        "models_recognised",
        ">=",
        "count",
        BAC_SON + ", chú thích 1",
        "Trực tiếp tham gia đề xuất, hỗ trợ Công an cấp xã xây dựng, nhân rộng tại địa bàn ít "
        "nhất 01 mô hình đang phát huy hiệu quả phong trào toàn dân bảo vệ an ninh Tổ quốc, "
        "được Công an cấp huyện trở lên biểu dương, ghi nhận.",
    ),
    TargetDef(
        "fire_in_time",
        "4.3",
        "fire_in_time",
        ">=",
        "share",
        BAC_SON + ", chú thích 2",
        "100% vụ việc khi được huy động lực lượng tham gia bảo vệ ANTT ở cơ sở có mặt kịp thời "
        "tham gia công tác phòng cháy, chữa cháy, cứu nạn, cứu hộ.",
    ),
    TargetDef("businesses", "4.4", "businesses_violating_max", "<=", "count", NOTE3_SOURCE, _NOTE3),
    TargetDef("residents_info", "4.4", "residents_info", ">", "share", NOTE3_SOURCE, _NOTE3),
    TargetDef("weapons", "4.4", "weapons_cases_max", "<=", "count", NOTE3_SOURCE, _NOTE3),
    TargetDef(
        "reoffences",
        "4.5",
        "reoffences_max",
        "<=",
        "count",
        BAC_SON + ", chú thích 4",
        "Trên địa bàn không để xảy ra trường hợp người đã vi phạm pháp luật tái phạm.",
    ),
    TargetDef("visits", "4.5", "visits_on_schedule", ">=", "share", LOCAL),
    TargetDef("patrol", "4.6", "patrol_participation", ">=", "share", NOTE5_SOURCE, _NOTE5),
    TargetDef(
        "serious_accidents",
        "4.6",
        "serious_accidents_max",
        "<=",
        "count",
        BAC_SON + ", chú thích 5",
        _NOTE5,
    ),
    TargetDef(
        "good_deeds",
        "4.7",
        "good_deeds_per_month",
        ">=",
        "count",
        BAC_SON + ", chú thích 6",
        "Mỗi Tổ bảo vệ ANTT ở thôn, khối phố thi đua mỗi tháng thực hiện ít nhất 01 việc tốt "
        "hoặc có cá nhân được biểu dương, khen thưởng, ghi nhận gương người tốt, việc tốt.",
    ),
    TargetDef("compliance", "", "daily_compliance", ">=", "share", LOCAL),
)

BY_KEY = {t.key: t for t in CATALOGUE}
# The targets the tally judges, in the order of the plans' contents.
TARGET_KEYS = tuple(t.key for t in CATALOGUE if t.measured)
# `[tally.targets]` keys that hold a goal, for overrides per unit.
GOAL_FIELDS = tuple(t.goal_field for t in CATALOGUE if t.measured)


def target(key: str) -> TargetDef:
    """The catalogue entry of a result key (KeyError for an unknown one)."""
    return BY_KEY[key]
