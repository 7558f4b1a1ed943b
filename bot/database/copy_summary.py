"""What `antt-bot db copy` did, table by table: the summary it prints, so an operator can
trust that every row of the source is copied, already there, or left with a reason."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.database.copy_tables import TRANSIENT


@dataclass
class Tally:
    """One table's outcome in the summary."""

    copied: int = 0
    already: int = 0
    renumbered: int = 0
    kept_target: int = 0
    cancelled: int = 0
    left: int = 0
    left_reason: str = ""
    refused: dict[str, int] = field(default_factory=dict)

    def line(self, name: str) -> str:
        """The table's line: what the operator needs to trust nothing was lost."""
        parts = [f"{self.copied} copied", f"{self.already} already there"]
        for label, n in (
            ("renumbered", self.renumbered),
            ("target's kept", self.kept_target),
            ("copied cancelled (buttons carry the source's ids)", self.cancelled),
        ):
            if n:
                parts.append(f"{n} {label}")
        if self.left:
            parts.append(f"{self.left} left ({self.left_reason})")
        parts.extend(f"{n} refused ({why})" for why, n in self.refused.items())
        return f"  {name:26} " + ", ".join(parts)


@dataclass
class Summary:
    """Every table's outcome, and the tables left with their row counts."""

    tables: dict[str, Tally] = field(default_factory=dict)
    transient: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The printed summary."""
        out = [t.line(name) for name, t in self.tables.items()]
        out += [
            f"  {name:26} {n} not copied ({TRANSIENT[name]})"
            for name, n in self.transient.items()
            if n
        ]
        return out

    @property
    def copied(self) -> int:
        """Rows written, all tables."""
        return sum(t.copied for t in self.tables.values())
