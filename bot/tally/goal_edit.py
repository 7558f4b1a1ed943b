"""Reading, showing and changing a unit's own goals, the same way for chat (/chitieu) and the
command line (`antt-bot targets`).

A goal is typed as `key=value`: the key is a `[tally.targets]` name (`residents_info`) or a
target's short key (`models`), a share as `0.95`, `0,95` or `95%`, a count as a whole number.
Values are checked with the config's own bounds, so a goal a command sets is one the config
file would accept; every change is written to the audit trail in its transaction.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError

from bot.core.config_movement import TallyTargets, check_goals
from bot.core.i18n import Texts
from bot.core.targets import BY_KEY, CATALOGUE
from bot.tally.goals import Applied, GoalBook
from storage import audit, target_overrides
from storage.db import Tx
from storage.units import Unit

# The `[tally.targets]` names a goal may be set for, in the order of the plans' contents.
GOAL_KEYS: tuple[str, ...] = tuple(
    dict.fromkeys(
        [
            *(t.goal_field for t in CATALOGUE if t.measured and t.content == "4.1"),
            "tip_ack_minutes",
            *(t.goal_field for t in CATALOGUE if t.measured and t.content != "4.1"),
        ]
    )
)
_BY_FIELD = {t.goal_field: t for t in CATALOGUE if t.measured}
_OLD_NAMES = {"households_checked": "residents_info", "reoffending_max": "reoffences_max"}


class GoalError(Exception):
    """A typed goal cannot be used: `key` is the locale key of the message, with `params`
    (a `reason` param is itself a locale key)."""

    def __init__(self, key: str, params: tuple[tuple[str, str], ...] = ()) -> None:
        """Keep the message's key and parameters for the caller's language."""
        super().__init__(key)
        self.key = key
        self.params = dict(params)

    def message(self, texts: Texts, locale: str) -> str:
        """The refusal in the user's language, saying what to type instead."""
        params = dict(self.params)
        if "reason" in params:
            params["reason"] = texts.t(locale, params["reason"])
        return texts.t(locale, self.key, **params)


def goal_key(typed: str) -> str:
    """The `[tally.targets]` name a typed key means, or GoalError listing the names."""
    word = typed.strip().lower()
    word = _OLD_NAMES.get(word, word)
    if word in BY_KEY and BY_KEY[word].measured:
        word = BY_KEY[word].goal_field
    if word not in GOAL_KEYS:
        raise GoalError("targets.unknown_key", (("name", typed), ("keys", ", ".join(GOAL_KEYS))))
    return word


def is_share(key: str) -> bool:
    """Whether the goal is a share (0..1) rather than a count or minutes."""
    return TallyTargets.model_fields[key].annotation is float


def parse_value(key: str, typed: str) -> float:
    """The value of one typed goal, checked with the config's bounds (GoalError otherwise)."""
    text = typed.strip().replace(",", ".")
    percent = text.endswith("%")
    try:
        number = float(text.rstrip("%").strip())
    except ValueError:
        number = float("nan")
    if percent and is_share(key):
        number /= 100
    reason = "targets.share_range" if is_share(key) else "targets.count_range"
    if number != number or (percent and not is_share(key)):
        raise GoalError("targets.bad_value", (("name", key), ("value", typed), ("reason", reason)))
    if not is_share(key):
        if number != int(number):
            raise GoalError(
                "targets.bad_value", (("name", key), ("value", typed), ("reason", reason))
            )
        number = int(number)
    try:
        return check_goals({key: number})[key]
    except ValidationError:
        raise GoalError(
            "targets.bad_value", (("name", key), ("value", typed), ("reason", reason))
        ) from None


def parse_assignments(words: list[str]) -> dict[str, float]:
    """`key=value` words as goals (GoalError on the first bad one)."""
    goals: dict[str, float] = {}
    for word in words:
        name, _, value = word.partition("=")
        key = goal_key(name)
        goals[key] = parse_value(key, value)
    return goals


def format_goal(texts: Texts, locale: str, key: str, value: float) -> str:
    """A goal the way the plan words it: "trên 90%", "ít nhất 1", "tối đa 0", "60 phút"."""
    if key == "tip_ack_minutes":
        return texts.t(locale, "targets.minutes", value=int(value))
    shown = f"{value * 100:g}%" if is_share(key) else str(int(value))
    op = _BY_FIELD[key].op
    word = {">": "targets.op_gt", ">=": "targets.op_ge", "<=": "targets.op_le"}[op]
    return texts.t(locale, word, value=shown)


def goal_name(texts: Texts, locale: str, key: str, minutes: int) -> str:
    """The goal's name as the tally prints it, with its content number."""
    if key == "tip_ack_minutes":
        return "4.1 " + texts.t(locale, "targets.ack_minutes")
    t = _BY_FIELD[key]
    name = texts.t(locale, f"tally.target.{t.key}", minutes=minutes)
    return f"{t.content} {name}".strip()


def origin(texts: Texts, locale: str, applied: Applied | None) -> str:
    """Where a goal comes from, in words: the default, the config file, or a command."""
    if applied is None:
        return texts.t(locale, "targets.default")
    if applied.origin == "config":
        return texts.t(locale, "targets.from_config", unit=applied.unit_path)
    day = applied.at[:10]
    shown = f"{day[8:10]}/{day[5:7]}/{day[:4]}" if len(day) == 10 else applied.at
    return texts.t(locale, "targets.from_command", unit=applied.unit_path, by=applied.by, day=shown)


def describe(texts: Texts, locale: str, book: GoalBook, unit: Unit) -> list[str]:
    """One line per goal that applies to `unit`: its name, key, value and where it is set."""
    goals = book.goals(unit.path)
    applied = book.applied(unit.path)
    lines = [texts.t(locale, "targets.title", unit=unit.name)]
    for key in GOAL_KEYS:
        lines.append(
            texts.t(
                locale,
                "targets.line",
                name=goal_name(texts, locale, key, goals.tip_ack_minutes),
                code=key,
                goal=format_goal(texts, locale, key, float(getattr(goals, key))),
                source=origin(texts, locale, applied.get(key)),
            )
        )
    return lines


async def set_goals(
    tx: Tx, unit: Unit, goals: dict[str, float], actor_id: int | None, actor: str, now: datetime
) -> None:
    """Store a unit's goals for its subtree and audit the change (values before and after)."""
    before = await target_overrides.of_unit(tx, unit.id)
    at = now.isoformat()
    for key, value in goals.items():
        await target_overrides.put(tx, unit.id, key, value, actor_id, actor, at)
    detail = {
        k: {"before": before[k].value if k in before else None, "after": v}
        for k, v in goals.items()
    }
    await audit.record(
        tx,
        at=at,
        actor_id=actor_id,
        actor=actor,
        subject="unit",
        subject_id=unit.id,
        action="targets_set",
        unit_id=unit.id,
        detail=detail,
    )


async def clear_goals(
    tx: Tx, unit: Unit, keys: list[str] | None, actor_id: int | None, actor: str, now: datetime
) -> int:
    """Drop some (or all) of a unit's stored goals and audit it; how many were dropped."""
    before = await target_overrides.of_unit(tx, unit.id)
    gone = [k for k in before if keys is None or k in keys]
    if not gone:
        return 0
    await target_overrides.remove(tx, unit.id, gone)
    await audit.record(
        tx,
        at=now.isoformat(),
        actor_id=actor_id,
        actor=actor,
        subject="unit",
        subject_id=unit.id,
        action="targets_cleared",
        unit_id=unit.id,
        detail={k: {"before": before[k].value, "after": None} for k in gone},
    )
    return len(gone)
