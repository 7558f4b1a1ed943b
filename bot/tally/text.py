"""The tally as a chat message that fits a phone screen (and the CLI's text format).

Totals first, then how many teams meet each target, the best and weakest teams, then one
short block per team; a unit with more teams than fit is summarised and the files carry the
detail. Shares are rounded down, so a team at 99.6% never reads "100%" next to a ✗.
"""

from __future__ import annotations

from datetime import timedelta

from bot.core import dates
from bot.core.config import TARGET_KEYS
from bot.core.targets import target
from bot.tally.compute import Tally, TargetResult, UnitTally
from bot.tally.labels import Labels, percent
from bot.tally.names import display_names

MAX_CHARS = 3900  # Telegram's limit is 4096; leave room for the channel's own additions
RANKED_SHOWN = 3


class TallyWriter:
    """The message in one reader's words: the same `Labels` the files are written with."""

    def __init__(self, labels: Labels) -> None:
        self.labels = labels
        self.locale = labels.locale
        self.t = labels.t
        self.kind_title = labels.kind  # '🚶 Tuần tra'; the key for a kind the forms dropped
        self.long = labels.target  # a target's full name for the totals
        self.names: dict[int, str] = {}  # teams qualified by commune in a province's tally

    def kind_icon(self, kind: str) -> str:
        """The short icon used in team lines; the key when a kind has none."""
        forms = self.labels.forms
        if forms.has(kind) and forms.get(kind).icon:
            return forms.get(kind).icon
        return kind

    def target_value(self, result: TargetResult) -> str:
        """'1/1' for counts one must reach, '0' for counts to keep at none, '67%' for shares."""
        t = target(result.key)
        if t.measure == "count" and t.op == "<=":
            return "—" if result.value is None else str(int(result.value))
        if t.measure == "count":
            return f"{int(result.value or 0)}/{int(result.goal)}"
        return percent(result.value)

    def short(self, key: str) -> str:
        """A target's short name for team lines."""
        return self.t(f"tally.short.{key}")

    def rating(self, level: str | None) -> str:
        """The suggested rating's official wording ('—' for a team without members)."""
        return self.labels.rating(level) if level else self.t("tally.na")

    def message(
        self,
        tally: Tally,
        deadline: str,
        team_limit: int,
        max_chars: int | None = MAX_CHARS,
        files_note: str | None = None,
    ) -> str:
        """The whole message; falls back to the summary when the detail would not fit.

        `files_note` replaces the line announcing the attached files (a messenger that
        cannot take files says where to get them instead).
        """
        self.names = display_names(tally)
        head = self._head(tally, deadline)
        foot = [
            *self.goals_line(tally),
            self.t("tally.suggestion_note"),
            files_note or self.t("tally.files_note"),
        ]
        teams = tally.teams
        count = tally.team_count
        if tally.root.is_team:
            return "\n".join([*head, "", *foot])
        if not count:
            return "\n".join([*head, "", self.t("tally.no_teams"), *foot])
        if teams and count <= team_limit:
            detail = [line for team in teams for line in ["", *self.team_block(team, tally.kinds)]]
            full = "\n".join([*head, *detail, "", *foot])
            if max_chars is None or len(full) <= max_chars:
                return full
        summary = [*head, "", self.t("tally.summarised", count=count), "", *foot]
        return "\n".join(summary)

    def _head(self, tally: Tally, deadline: str) -> list[str]:
        root = tally.root
        f = root.figures
        lines = [self.t("tally.title", unit=root.name, period=tally.period.label(self.locale))]
        lines += self.until_lines(tally, deadline)
        lines.append(
            self.t(
                "tally.totals",
                teams=f.teams,
                reporters=f.reporters,
                members=f.members,
                compliance=percent(f.compliance),
                late=f.late,
            )
        )
        present = [k for k in tally.kinds if f.by_kind.get(k)] or tally.kinds  # zeros if empty
        items = " · ".join(f"{self.kind_title(k)} {f.by_kind.get(k, 0)}" for k in present)
        lines.append(self.t("tally.reports_line", items=items))
        lines += self.urgent_lines(root)
        if root.is_team:
            met, applicable = root.met_count
            lines.append("")
            lines.append(
                self.t(
                    "tally.team_rating",
                    met=met,
                    applicable=applicable,
                    rating=self.rating(root.rating),
                )
            )
            lines.append(self._targets_line(root).strip())
            lines += self.unreachable_line(root)
            lines += self.class_lines(tally)
            return lines
        lines.append("")
        lines.append(self.t("tally.targets_title"))
        for key in TARGET_KEYS:
            applicable = root.teams_applicable.get(key, 0)
            meeting = root.teams_meeting.get(key, 0)
            value = self.target_value(root.targets[key]) if key in root.targets else "—"
            plan = target(key)
            content = f"{plan.content} " if plan.content else ""
            local = "" if plan.from_seed else self.t("tally.local_mark")
            lines.append(f"• {content}{self.long(key)}{local}: {meeting}/{applicable} ({value})")
        lines.append(self.t("tally.targets_source"))
        ranked, count = self._ranking(tally)
        if count > 1:
            shown = min(RANKED_SHOWN, count // 2 or 1)
            lines.append(self.t("tally.best", teams=self._names(ranked[:shown])))
            lines.append(self.t("tally.weakest", teams=self._names(ranked[-shown:][::-1])))
        lines += self.class_lines(tally)
        return lines

    def until_lines(self, tally: Tally, deadline: str) -> list[str]:
        """Which days the figures count: up to the last one past its deadline (on-time
        reporting counts no other), and for a month cut to its closed days (a country's
        running month) when the later ones are added. The chat and the web page say it alike."""
        if tally.elapsed_end is None:
            lines = [self.t("tally.none_elapsed", deadline=deadline)]
        else:
            day = dates.day(tally.elapsed_end)
            lines = [self.t("tally.until", day=day, deadline=deadline)]
        if tally.period.cut_short:
            after = dates.day(tally.period.end + timedelta(days=1))
            lines.append(self.t("tally.cut_short", day=after, deadline=deadline))
        return lines

    def _ranking(self, tally: Tally) -> tuple[list[tuple[str, int, int]], int]:
        """The teams with members, best first, as (name, met, applicable), and how many there
        are: without team lines, each commune's best and weakest stand for the rest (the
        best and weakest of all are among them)."""
        if tally.levels_only is not None:
            kept = tally.levels_only
            return [(t.name, t.met, t.applicable) for t in kept.ranked], kept.ranked_count
        ranked = []
        for team in tally.ranked():
            if team.figures.members:
                met, applicable = team.met_count
                ranked.append((self.names.get(team.unit_id, team.name), met, applicable))
        return ranked, len(ranked)

    def class_lines(self, tally: Tally) -> list[str]:
        """The plans' four-level class of the unit and how its residential areas fall, marked
        as a suggestion: the competent authority classifies, the bot only counts."""
        root = tally.root
        if root.movement_class is None:
            return []
        lines = [
            "",
            self.t("classes.unit_line", unit=root.name, level=self.class_name(root.movement_class)),
        ]
        if not root.is_team:
            counts = tally.area_counts()
            items = " · ".join(f"{self.class_name(k)} {n}" for k, n in counts.items())
            lines.append(self.t("classes.areas_line", items=items))
        return lines

    def class_name(self, level: str | None) -> str:
        """A class in words ('Khá'); '—' for a unit that has none."""
        return self.t(f"classes.level.{level}") if level else self.t("tally.na")

    def goals_line(self, tally: Tally) -> list[str]:
        """One line when some unit of this tally is judged against its own goals (set for
        it or above it), so nobody reads a mark against the defaults by mistake."""
        book = tally.goals
        if book is None:
            return []
        count = len({e.unit_path for e in book.entries(tally.root.path)})
        return [self.t("targets.differ", count=count)] if count else []

    def _names(self, teams: list[tuple[str, int, int]]) -> str:
        return ", ".join(f"{name} ({met}/{applicable})" for name, met, applicable in teams)

    def team_block(self, team: UnitTally, kinds: list[str]) -> list[str]:
        """Four lines for one team: rating, reporting, reports per kind, targets (and a
        fifth when some members blocked the bot)."""
        f = team.figures
        met, applicable = team.met_count
        mark = "✅" if applicable and met == applicable else "▪️"
        order = kinds + [k for k in f.by_kind if k not in kinds]
        counts = " ".join(f"{self.kind_icon(k)}{f.by_kind[k]}" for k in order if f.by_kind.get(k))
        return [
            self.t(
                "tally.team_line",
                mark=mark,
                name=self.names.get(team.unit_id, team.name),
                met=met,
                applicable=applicable,
                rating=self.rating(team.rating),
            )
            + self._class_suffix(team),
            self.t(
                "tally.team_stats",
                reporters=f.reporters,
                members=f.members,
                compliance=percent(f.compliance),
                late=f.late,
            ),
            self.t("tally.team_kinds", items=counts or "—"),
            self._targets_line(team),
            *self.unreachable_line(team, indent="   "),
        ]

    def _class_suffix(self, team: UnitTally) -> str:
        if team.movement_class is None:
            return ""
        return self.t("classes.team_suffix", level=self.class_name(team.movement_class))

    def urgent_lines(self, unit: UnitTally) -> list[str]:
        """Tips and fires through their life, only when there were any: what the officer
        answers for (taken up, resolved, attended in time), duplicates counted once."""
        f = unit.figures
        lines = []
        if f.tips:
            lines.append(
                self.t(
                    "tally_urgent.tips_line",
                    tips=f.tips,
                    acked=f.tips_acked,
                    minutes=self.labels.tip_ack_minutes,
                    in_time=f.tips_acked_in_time,
                    resolved=f.tips_resolved,
                    forwarded=f.tips_forwarded,
                    unfounded=f.tips_unfounded,
                    open=f.tips_open,
                )
            )
            resolved, acked = unit.targets["tips_resolved"], unit.targets["tips_acked"]
            lines.append(
                self.t(
                    "tally_urgent.resolution_line",
                    rate=percent(resolved.value),
                    goal=percent(resolved.goal),
                    acked_rate=percent(acked.value),
                    acked_goal=percent(acked.goal),
                )
            )
        if f.fires:
            in_time = unit.targets["fire_in_time"]
            lines.append(
                self.t(
                    "tally_urgent.fires_line",
                    fires=f.fires,
                    in_time=f.fires_confirmed_in_time,
                    confirmed=f.fires_confirmed,
                    rate=percent(in_time.value),
                    goal=percent(in_time.goal),
                    unconfirmed=f.fires - f.fires_confirmed,
                )
            )
        duplicates = f.tips_duplicate + f.fires_duplicate
        if duplicates:
            lines.append(self.t("tally_urgent.duplicates", count=duplicates))
        return lines

    def unreachable_line(self, unit: UnitTally, indent: str = "") -> list[str]:
        """'📵 1 người đã chặn bot': members no reminder can reach, only when there are any."""
        count = unit.figures.unreachable
        return [indent + self.t("tally.unreachable", count=count)] if count > 0 else []

    def _targets_line(self, unit: UnitTally) -> str:
        items = []
        for key in TARGET_KEYS:
            result = unit.targets.get(key)
            if result is None or result.met is None:
                continue
            sign = "✓" if result.met else "✗"
            items.append(f"{sign}{self.short(key)} {self.target_value(result)}")
        return self.t("tally.team_targets", items=" ".join(items))
