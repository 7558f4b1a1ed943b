"""`antt-bot preset list | show NAME`: the plans' presets, to choose one and to check a new one."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from bot.core.config import Config
from bot.movement.preset import LOCAL, Preset, PresetError, available, load_preset

ROLES = {
    "leader": "tổ trưởng",
    "deputy": "tổ phó",
    "officer": "Công an xã",
    "supervisor": "cấp trên",
    "admin": "quản trị",
}
REPORTS = {"so_ket": "sơ kết", "tong_ket": "tổng kết"}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare the sub-command's options on the main parser."""
    preset = sub.add_parser(
        "preset",
        help="the plans' presets of phases, milestones and targets ([movement] preset)",
        description="List the presets shipped with the bot, or show one (or a file of yours).",
    )
    what = preset.add_subparsers(dest="preset_command", required=True)
    what.add_parser("list", help="the presets shipped with the bot")
    show = what.add_parser("show", help="one preset in full, checked as the bot reads it")
    show.add_argument("name", help="a preset's name, or the path of a preset file (.toml)")


def _day(value: date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def describe(preset: Preset) -> str:
    """The preset as an officer checks it against the plan: every phase, deadline and target
    with where the plan sets it, local choices marked."""
    lines = [f"{preset.name}: {preset.title}", "Kế hoạch:"]
    lines += [f"  - {plan}" for plan in preset.plans]
    if preset.theme:
        lines.append(f"Chủ đề: {preset.theme}")
    lines.append(f"Đợt thi đua ({len(preset.phases)}):")
    for phase in preset.phases:
        lines.append(f"  {phase.name}: {_day(phase.start)} – {_day(phase.end)}  [{phase.source}]")
        if phase.theme:
            lines.append(f"    {phase.theme}")
    lines.append(f"Mốc thời hạn ({len(preset.milestones)}):")
    for m in preset.milestones:
        who = ", ".join(ROLES[r] for r in m.roles)
        report = f" [{REPORTS[m.report]}{' ' + m.phase if m.phase else ''}]" if m.report else ""
        before = ", ".join(str(d) for d in m.days_before)
        lines.append(f"  {_day(m.due)}: {m.name}{report}")
        lines.append(f"    nhắc: {who}; trước {before} ngày  [{m.source}]")
    lines.append(f"Chỉ tiêu kế hoạch giao ({len(preset.targets)}):")
    for t in preset.targets:
        lines.append(f"  {t.goal} = {t.value:g}  [{t.source}]")
    if not preset.targets:
        lines.append("  (không có: áp dụng mặc định của bot hoặc [tally.targets] trong config)")
    lines.append(f'Nguồn ghi "{LOCAL}": kế hoạch không quy định, là lựa chọn của địa phương.')
    return "\n".join(lines)


async def run(config: Config, args: argparse.Namespace) -> int:
    """List or show presets; a broken preset prints its file, line and fix, and exits 2."""
    if args.preset_command == "list":
        for name in available():
            print(f"{name}\t{load_preset(name).title}")
        current = config.movement.preset
        print(f"(config: preset = {current!r})" if current else "(config: no preset selected)")
        return 0
    try:
        preset = load_preset(args.name)
    except PresetError as err:
        print(f"antt-bot: {err}", file=sys.stderr)
        return 2
    print(describe(preset))
    return 0
