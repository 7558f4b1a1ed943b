"""Presets: a real plan's phases, milestones and targets, selectable with `[movement] preset`.

A preset is a TOML file (bot/movement/presets/NAME.toml, or a path of the commune's own) that
the config builds on: the config's own phases and milestones add to the preset's, and replace
one of the same name in place; a target set in `[tally.targets]` wins over the preset's.
Errors name the file and the line, so whoever writes a preset for another commune can fix it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.core.config_movement import Milestone, Phase, TallyTargets

PRESETS_DIR = Path(__file__).parent / "presets"
LOCAL = "thực tiễn địa phương"  # the source of anything a plan does not set
_OLD_NAMES = {"households_checked": "residents_info", "reoffending_max": "reoffences_max"}


class PresetError(ValueError):
    """A preset cannot be used; the message names the file, the line and what to change."""


class MovementSection(BaseModel):
    """`[movement]`: which plan the tally and the reminders follow."""

    model_config = ConfigDict(extra="forbid")

    # A preset's name (`antt-bot preset list`) or the path of a preset file of one's own,
    # relative to the config file; "" = none, only the config's own phases and milestones.
    preset: str = ""


class PresetPhase(Phase):
    """A phase as the plan names it, with where the plan sets it."""

    source: str = Field(min_length=1)


class PresetMilestone(Milestone):
    """A deadline of the plan, with where the plan sets it (or LOCAL when it gives no date)."""

    source: str = Field(min_length=1)


class PresetTarget(BaseModel):
    """A target the plan sets: a `[tally.targets]` goal, its value, and where it is written."""

    model_config = ConfigDict(extra="forbid")

    goal: str
    value: float
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _known_goal(self) -> PresetTarget:
        fields = TallyTargets.model_fields
        if self.goal not in fields:
            raise ValueError(f"unknown goal {self.goal!r}; use one of: {', '.join(fields)}")
        TallyTargets.model_validate({self.goal: self.value})  # the goal's own bounds
        return self


class Preset(BaseModel):
    """One plan: who issued it, its theme, and what the bot takes from it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = Field(min_length=1)
    plans: list[str] = Field(min_length=1)  # the plans it follows, by name, issuer and date
    theme: str = ""
    phases: list[PresetPhase] = []
    milestones: list[PresetMilestone] = []
    targets: list[PresetTarget] = []

    @model_validator(mode="after")
    def _consistent(self) -> Preset:
        names = [p.name for p in self.phases]
        for i, phase in enumerate(self.phases):
            if phase.end < phase.start:
                raise ValueError(f"phases.{i}.end: phase {phase.name!r} ends before it starts")
            if names.count(phase.name) > 1:
                raise ValueError(f"phases.{i}.name: two phases are named {phase.name!r}")
        for i, milestone in enumerate(self.milestones):
            if milestone.report == "so_ket" and milestone.phase not in names:
                raise ValueError(
                    f"milestones.{i}.phase: {milestone.phase!r} names no phase of this "
                    f"preset; use one of: {', '.join(names)}"
                )
        return self


def available() -> list[str]:
    """The presets shipped with the bot, by name, for `antt-bot preset list` and errors."""
    return sorted(p.stem for p in PRESETS_DIR.glob("*.toml"))


def preset_file(name: str, base: Path | None = None) -> Path:
    """The file a `[movement] preset` value means: a shipped name, or a path ending .toml."""
    if name.endswith(".toml"):
        path = Path(name)
        return path if path.is_absolute() or base is None else base / path
    path = PRESETS_DIR / f"{name}.toml"
    if not path.exists():
        raise PresetError(
            f"movement.preset: unknown preset {name!r}; use one of: {', '.join(available())}, "
            f"or the path of a preset file ending in .toml"
        )
    return path


def load_preset(name: str, base: Path | None = None) -> Preset:
    """Read and check a preset; every error names the file and the line to fix."""
    path = preset_file(name, base)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PresetError(f"{path}: cannot read the preset file ({exc.strerror})") from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PresetError(f"{path}: not valid TOML: {exc}") from exc
    try:
        preset = Preset.model_validate(raw)
    except ValidationError as exc:
        raise PresetError(_describe(path, text, exc)) from exc
    if not name.endswith(".toml") and preset.name != name:
        raise PresetError(f"{path}, line {locate(text, ('name',))}: name must be {name!r}")
    return preset


def _describe(path: Path, text: str, exc: ValidationError) -> str:
    """One line per error: file, line, key and what is wrong."""
    lines = [f"{path}: invalid preset:"]
    for err in exc.errors():
        loc = tuple(err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        found = re.match(r"(\w+)\.(\d+)\.(\w+): ", msg)
        if found and not loc:  # a cross-check names the entry in its message
            loc = (found.group(1), int(found.group(2)), found.group(3))
            msg = msg[found.end() :]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling against the other presets)"
        key = ".".join(str(p) for p in loc) or "preset"
        lines.append(f"  line {locate(text, loc)}: {key}: {msg}")
    return "\n".join(lines)


def locate(text: str, loc: Sequence[str | int]) -> int:
    """The line of a key in a preset file: `("phases", 1, "start")` is the `start =` line of
    the second `[[phases]]` table; its header when the key is missing, 1 when nothing fits.

    Presets are flat (top-level keys and arrays of tables), so a line scan is enough.
    """
    lines = text.splitlines()
    table, index, key = "", -1, ""
    if len(loc) >= 2 and isinstance(loc[1], int):
        table, index = str(loc[0]), loc[1]
        key = str(loc[2]) if len(loc) > 2 else ""
    elif loc:
        key = str(loc[0])
    current, seen, header = "", -1, 0
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        heading = re.fullmatch(r"\[\[\s*([\w.]+)\s*\]\]", stripped)
        if heading:
            current = heading.group(1)
            if current == table:
                seen += 1
                if seen == index:
                    header = number
            continue
        if current == table and seen == index and key and re.match(rf"{key}\s*=", stripped):
            return number
    return header or 1


def with_preset(raw: dict[str, object], base: Path | None) -> dict[str, object]:
    """The config's raw tables with the preset it names underneath (see the module's rule).

    Works on the raw TOML before validation, so a mistake in the config's own part is still
    reported under its own key.
    """
    movement = raw.get("movement")
    name = movement.get("preset", "") if isinstance(movement, dict) else ""
    if not isinstance(name, str) or not name:
        return raw
    preset = load_preset(name, base)
    merged = dict(raw)
    tally = dict(_table(raw, "tally"))
    reminders = dict(_table(raw, "reminders"))
    phases = [p.model_dump(exclude={"source"}) for p in preset.phases]
    tally["phases"] = _by_name(phases, tally.get("phases"))
    milestones = [m.model_dump(exclude={"source"}) for m in preset.milestones]
    reminders["milestones"] = _by_name(milestones, reminders.get("milestones"))
    goals = {t.goal: t.value for t in preset.targets}
    own = tally.get("targets")
    if isinstance(own, dict):
        for old, new in _OLD_NAMES.items():
            if old in own:  # the config's old spelling still overrides the preset's goal
                goals.pop(new, None)
        goals = {**goals, **own}
    tally["targets"] = goals
    merged["tally"], merged["reminders"] = tally, reminders
    return merged


def _table(raw: dict[str, object], key: str) -> dict[str, object]:
    value = raw.get(key)
    return value if isinstance(value, dict) else {}


def _by_name(base: list[dict[str, object]], own: object) -> list[object]:
    """The preset's entries, each replaced in place by the config's entry of the same name,
    then the config's other entries in their order."""
    if not isinstance(own, list):
        return list(base)
    named = {e.get("name"): e for e in own if isinstance(e, dict)}
    out: list[object] = [named.pop(e["name"], e) for e in base]
    return out + [e for e in own if not isinstance(e, dict) or e.get("name") in named]
