"""The movement's part of the configuration: tally targets, ratings, phases, reminders.

Kept apart from `bot.core.config` (messengers, database, limits) because it changes with the
movement's plans, not with the deployment; `bot.core.config` re-exports every name.
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from bot.core.config_classes import DEFAULT_CLASSES, ClassRule
from bot.core.targets import TARGET_KEYS
from storage.subtree import SEPARATOR
from storage.units import normalize_path


class Section(BaseModel):
    """A config section: unknown keys are refused, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid")


def stored_path(value: str) -> str:
    """A unit path from the config as units are stored (NFC, no spaces around '/'), so a path
    typed with spaces or in decomposed Vietnamese still names its unit instead of matching
    none; a path with an empty segment is refused, naming it."""
    return normalize_path(value.strip().strip(SEPARATOR))


class TallyTargets(Section):
    """The movement's goals; shares are fractions, 0.9 means 90%. Which plan sets each one,
    word for word, is in `bot.core.targets`; the comments say seed or local practice."""

    # 4.1, seed 003 (Lục Ngạn): "100% tin báo … phải được thụ lý giải quyết".
    tips_acknowledged: float = Field(default=1.0, ge=0, le=1)
    # 4.1, local practice, not a seed: taken up within an hour of the alert, nine tips in ten.
    tip_ack_minutes: int = Field(default=60, ge=1)
    tips_acknowledged_in_time: float = Field(default=0.9, ge=0, le=1)
    # 4.1, seed 003: "tỷ lệ giải quyết tin báo … đạt trên 90%": resolved, forwarded or found
    # unfounded over tips received (bot/tally/urgent.py), strictly above the goal.
    tips_resolved: float = Field(default=0.9, ge=0, le=1)
    # 4.2, seed 000 note 1: "ít nhất 01 mô hình … được Công an cấp huyện trở lên biểu dương,
    # ghi nhận" in the team's area (models recognised so far, not only in the period).
    models_recognised: int = Field(default=1, ge=0)
    # 4.3, seed 000 note 2: "100% vụ việc khi được huy động … có mặt kịp thời"; measured by
    # the officer's confirmation.
    fire_in_time: float = Field(default=1.0, ge=0, le=1)
    # 4.4, seed 000 note 3: no violating conditional business, residents' information on
    # "trên 90%" of the households (strictly above), no illegal weapons.
    businesses_violating_max: int = Field(default=0, ge=0)
    residents_info: float = Field(
        default=0.9,
        ge=0,
        le=1,
        validation_alias=AliasChoices("residents_info", "households_checked"),
    )
    weapons_cases_max: int = Field(default=0, ge=0)
    # 4.5, seed 000 note 4: "không để xảy ra trường hợp người đã vi phạm pháp luật tái phạm".
    reoffences_max: int = Field(
        default=0, ge=0, validation_alias=AliasChoices("reoffences_max", "reoffending_max")
    )
    # 4.5, local practice: people on the register visited as often as due.
    visits_on_schedule: float = Field(default=1.0, ge=0, le=1)
    # 4.6, seed 000 note 5: "100% lực lượng … tham gia … tuần tra", and no serious traffic
    # accident in the area.
    patrol_participation: float = Field(default=1.0, ge=0, le=1)
    serious_accidents_max: int = Field(default=0, ge=0)
    # 4.7, seed 000 note 6: each team, each month, "ít nhất 01 việc tốt hoặc có cá nhân được
    # biểu dương, khen thưởng"; multiplied by the months a period spans.
    good_deeds_per_month: int = Field(default=1, ge=0)
    # Local practice: member-days reported by the deadline over member-days due.
    daily_compliance: float = Field(default=0.9, ge=0, le=1)


def check_goals(values: dict[str, Any]) -> dict[str, float]:
    """Goals as `[tally.targets]` takes them (same names, old names, bounds), for an override
    from the config or a command: a ValueError names the bad key and what it accepts."""
    checked = TallyTargets.model_validate(values)
    return {name: float(getattr(checked, name)) for name in checked.model_fields_set}


class TargetOverride(Section):
    """Goals a commune or province sets for its subtree (`[[tally.overrides]]`): `unit` (a
    path) and any `[tally.targets]` keys, checked with the same bounds. The nearest unit up
    the tree wins; a goal set with `antt-bot targets set` or /chitieu wins over this one."""

    unit: str = Field(min_length=1)
    goals: dict[str, float] = {}

    @field_validator("unit")
    @classmethod
    def _as_stored(cls, value: str) -> str:
        return stored_path(value)

    @model_validator(mode="before")
    @classmethod
    def _split(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "goals" in data:
            return data
        rest = {k: v for k, v in data.items() if k != "unit"}
        if not rest:
            raise ValueError("an override needs at least one [tally.targets] key besides unit")
        return {"unit": data.get("unit"), "goals": check_goals(rest)}


Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]  # as in forms files


class TallySources(Section):
    """Which form kinds and fields feed the targets, so a province's own forms can too."""

    nil_kind: Key = "nil"
    good_deed_kind: Key = "good_deed"
    patrol_kind: Key = "patrol"
    fire_kind: Key = "fire_rescue"
    fire_mobilised_field: Key = "mobilised"
    fire_in_time_field: Key = "in_time"
    tip_kind: Key = "tip"
    reintegration_kind: Key = "reintegration"
    # 4.5: a visit's "signs of reoffending" answer warns the leader and the commune police;
    # it is not a reoffence and feeds no target (reoffences are recorded on the register).
    reoffending_field: Key = "reoffending_signs"
    # 4.2: outreach reports naming a model and the level that recognised it; models at one
    # of `model_levels` count (distinct names per team, up to the period's end).
    outreach_kind: Key = "outreach"
    model_name_field: Key = "model_name"
    model_level_field: Key = "model_level"
    model_levels: list[Key] = Field(default=["district"], min_length=1)
    # 4.4: the latest running total of households informed (never a sum), and the yes/no
    # flags of a violating conditional business and of illegal weapons.
    admin_kind: Key = "admin_order"
    households_informed_field: Key = "households_informed"
    business_violation_field: Key = "business_violation"
    weapons_field: Key = "illegal_weapons"
    # 4.6: the yes/no "serious traffic accident" on a tip (a duplicate counted once) or a
    # patrol report (`tip_kind`, `patrol_kind`).
    accident_field: Key = "serious_accident"


class RatingRule(Section):
    """One level of the suggested rating; the first rule a team satisfies is its suggestion."""

    level: Literal["excellent", "good", "done"]
    min_targets_met: float = Field(ge=0, le=1)
    min_compliance: float = Field(default=0.0, ge=0, le=1)
    required: list[str] = []

    @field_validator("required")
    @classmethod
    def _known_targets(cls, value: list[str]) -> list[str]:
        unknown = [k for k in value if k not in TARGET_KEYS]
        if unknown:
            names = ", ".join(TARGET_KEYS)
            raise ValueError(f"unknown target {unknown[0]!r}; use some of: {names}")
        return value


DEFAULT_RATINGS = [
    RatingRule(
        level="excellent",
        min_targets_met=1.0,
        min_compliance=0.95,
        required=["good_deeds", "patrol", "fire_in_time"],
    ),
    RatingRule(level="good", min_targets_met=0.8, min_compliance=0.85),
    RatingRule(level="done", min_targets_met=0.5, min_compliance=0.6),
]


class Phase(Section):
    """A named emulation phase (đợt thi đua): a tally period, announced when it starts."""

    name: str = Field(min_length=1, max_length=60)
    theme: str = ""
    start: date
    end: date
    units: list[str] = []  # unit paths whose members are told when it starts; [] = everyone

    @field_validator("units")
    @classmethod
    def _units_as_stored(cls, value: list[str]) -> list[str]:
        return [stored_path(path) for path in value]


class TallySection(Section):
    # Day of the month on which a reporting month starts: 1 = calendar months, 15 = the
    # 15th of last month to the 14th of this month (the month is named by its end).
    month_starts_on: int = Field(default=1, ge=1, le=28)
    # Above this many teams, the chat message shows a summary and the files hold the detail.
    phone_team_limit: int = Field(default=12, ge=1, le=60)
    # Raw report rows in a workbook sent in chat (the CLI has no limit).
    raw_rows_limit: int = Field(default=20000, ge=0, le=1_000_000)
    # Above this many teams a workbook sent in chat lists the levels above the teams only
    # (no team and member sheets): a country's would take minutes and near Telegram's 50 MB.
    file_team_limit: int = Field(default=10000, ge=1, le=1_000_000)
    # Closed months kept per commune (bot/tally/snapshots.py), so a tally over more teams
    # than both limits above (a country's) adds up communes: how many recent months to keep
    # (0: none; such a tally then counts every team), and how often to compute missing ones.
    snapshot_months: int = Field(default=3, ge=0, le=24)
    snapshot_every_minutes: float = Field(default=10.0, gt=0, le=1440)
    # Local practice: who gets the answers of tips and reintegration visits (what happened,
    # where, the person's code) in files; anyone else's file lists the report without them.
    details_roles: list[Literal["leader", "deputy", "officer", "supervisor", "admin"]] = [
        "officer",
        "supervisor",
        "admin",
    ]
    # The CSV a tally sends by default: "standard" (comma, decimal point: scripts, LibreOffice
    # in English) or "excel-vi" (semicolon, decimal comma: Excel on a Vietnamese Windows).
    csv_style: Literal["standard", "excel-vi"] = "standard"
    targets: TallyTargets = TallyTargets()
    overrides: list[TargetOverride] = []  # goals per unit subtree, nearest unit wins
    sources: TallySources = TallySources()
    ratings: list[RatingRule] = DEFAULT_RATINGS
    classes: list[ClassRule] = DEFAULT_CLASSES  # the plans' four levels (config_classes)
    phases: list[Phase] = []

    @field_validator("phases")
    @classmethod
    def _ordered(cls, value: list[Phase]) -> list[Phase]:
        for phase in value:
            if phase.end < phase.start:
                raise ValueError(f"phase {phase.name!r} ends before it starts")
        return value


class Milestone(Section):
    """A dated deliverable (a launch ceremony, a phase report) its audience is reminded of."""

    name: str = Field(min_length=1, max_length=120)
    due: date
    roles: list[Literal["leader", "deputy", "officer", "supervisor", "admin"]] = [
        "officer",
        "supervisor",
    ]
    unit: str = ""  # a unit path: its members and those below it; "" = the whole tree
    days_before: list[int] = Field(default=[7, 3, 1, 0], min_length=1)
    # A phase report each commune sends up: "so_ket" (one phase, `phase` names it) or
    # "tong_ket" (the whole movement); "" for any other deliverable (a launch ceremony).
    report: Literal["so_ket", "tong_ket", ""] = ""
    phase: str = ""

    @field_validator("unit")
    @classmethod
    def _unit_as_stored(cls, value: str) -> str:
        return stored_path(value) if value.strip() else ""

    @field_validator("days_before")
    @classmethod
    def _sensible_days(cls, value: list[int]) -> list[int]:
        if any(d < 0 or d > 366 for d in value):
            raise ValueError("days before the due date must be between 0 and 366")
        return sorted(set(value), reverse=True)


class RemindersSection(Section):
    """What the scheduler plans and when (local time of [bot] timezone)."""

    enabled: bool = True
    daily_at: time = time(19, 0)  # members who have filed nothing today
    second_before_minutes: int = Field(default=30, ge=0, le=600)  # 2nd reminder; 0 = none
    digest_delay_minutes: int = Field(default=5, ge=0, le=120)  # leaders' list after deadline
    quiet_start: time = time(21, 30)  # non-urgent messages wait until quiet_end;
    quiet_end: time = time(6, 30)  # equal values mean no quiet hours
    grace_hours: float = Field(default=6.0, ge=0, le=72)  # catch-up window after downtime
    monthly_tally_at: time = time(7, 30)  # on [tally] month_starts_on: last period's tally
    nudge_day: int = Field(default=20, ge=0, le=28)  # good-deed nudge; 0 = never
    nudge_at: time = time(8, 0)
    notices_at: time = time(7, 0)  # milestone reminders and phase starts, daily
    milestones: list[Milestone] = []

    def second_at(self, deadline: time) -> time | None:
        """When the second reminder goes out, or None when there is none."""
        if not self.second_before_minutes:
            return None
        minutes = deadline.hour * 60 + deadline.minute - self.second_before_minutes
        return time(max(0, minutes) // 60, max(0, minutes) % 60)
