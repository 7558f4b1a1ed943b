"""Phase 3 of the outbox benchmark: how long a message stays delivered but unmarked, with the
database as shipped and as it was, on announcement bursts.

Each run drains the same scene (tests/bench/outbox_burst.py) through the real bot process
twice: with the database as shipped, and as the reference, the behaviour before (one queue
in arrival order for every read and write, a mark as a full transaction, checkpoints inside
commits; see tests/bench/outbox_bot.py). The two alternate, and swap order from run to
run, so the shared machine's mood weighs on both alike. Optionally each is killed with
SIGKILL at random moments (`kills` per run, the same moments for both), and every kill is
examined for the rows it left delivered but unmarked: those are the duplicates.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.bench.outbox_burst import Bursts, fill_bursts, members_writing
from tests.bench.outbox_kill import run_bot
from tests.bench.outbox_result import LimitedResult
from tests.bench.outbox_window import quantiles

MODES: dict[str, dict[str, str]] = {
    "shipped": {},
    "reference": {
        "OUTBOX_BENCH_FIRST_LANE": "0",
        "OUTBOX_BENCH_READER": "0",
        "OUTBOX_BENCH_CHECKPOINTS": "0",
    },
}


@dataclass
class ModeRuns:
    """The runs of one mode."""

    results: list[LimitedResult] = field(default_factory=list)

    def medians(self, pick: Callable[[LimitedResult], float]) -> float:
        """The median over runs of one figure."""
        return statistics.median(pick(r) for r in self.results) if self.results else 0.0


def accepted_to_mark(r: LimitedResult) -> tuple[float, float, float]:
    """Median, p99 and max ms from the fake's acceptance to the mark, over every message."""
    return quantiles(r.delays.accepted_ms)


def answer_to_mark(r: LimitedResult) -> tuple[float, float, float]:
    """The same from the moment the fake had written its answer: the bot's own share."""
    return quantiles(r.delays.answered_ms)


def duplicate_windows(r: LimitedResult) -> list[float]:
    """For every duplicate, ms between the fake's acceptance and the kill."""
    return sorted(d.before_kill_ms for found in r.duplicates() for d in found)


def per_kill(r: LimitedResult) -> float:
    """Duplicates per kill (0 without kills)."""
    return sum(len(found) for found in r.duplicates()) / len(r.kills) if r.kills else 0.0


def run_line(mode: str, r: LimitedResult) -> str:
    """One run of one mode, on one line."""
    acc, own = accepted_to_mark(r), answer_to_mark(r)
    line = (
        f"    {mode:<9} accepted->mark {acc[0]:5.2f}/{acc[1]:6.2f}/{acc[2]:6.2f} ms, "
        f"answer->mark {own[0]:5.2f}/{own[1]:6.2f}/{own[2]:6.2f} ms (median/p99/max, "
        f"n={len(r.delays.accepted_ms)}); 429 {r.too_many - r.too_many_untagged} outbox + "
        f"{r.too_many_untagged} other; {len(r.accepted) - sum(r.keys.values())} other "
        f"messages (replies, the officer's reports); duplicates {r.duplicated}, lost {r.lost}"
    )
    if r.kills:
        windows = duplicate_windows(r)
        counts = [len(found) for found in r.duplicates()]
        claimed = [len(k.claimed) for k in r.kills]
        held = sum(1 for found in r.duplicates() for d in found if d.answered_before_kill)
        shown = ", ".join(f"{w:.1f}" for w in windows[:30]) + (" ..." if len(windows) > 30 else "")
        line += (
            f"\n              {len(r.kills)} kills: duplicates per kill mean {per_kill(r):.3f}, "
            f"max {max(counts)}; claimed but unmarked per kill mean "
            f"{statistics.mean(claimed):.1f}, all but the duplicates never sent; each "
            f"duplicate accepted this many ms before the kill: {shown or '-'}; of them, "
            f"answer already written when the kill came: {held}"
        )
    return line


async def crash_phase(
    shape: Bursts,
    runs: int,
    kills: int,
    stall_s: float,
    env: dict[str, str] | None = None,
    progress: Callable[[str], None] = print,
) -> dict[str, ModeRuns]:
    """Run both modes `runs` times each, alternating; print a line per run. `env` goes to
    every bot process of both modes (e.g. slow syncs, tests/bench/outbox_slowsync.py)."""
    found = {mode: ModeRuns() for mode in MODES}
    for run in range(runs):
        order = list(MODES) if run % 2 == 0 else list(reversed(MODES))
        for mode in order:
            result = await run_bot(
                lambda db_path: fill_bursts(db_path, shape),
                kills=kills,
                stall_s=stall_s,
                seed=run + 1,
                settings={**(env or {}), **MODES[mode]},
                beside=members_writing(shape),
                progress=lambda _: None,
            )
            found[mode].results.append(result)
            progress(run_line(mode, result))
    return found


def crash_summary(found: dict[str, ModeRuns]) -> list[tuple[str, str, str]]:
    """Rows for the final table: medians over runs, shipped against the reference."""
    new, old = found["shipped"], found["reference"]
    rows = []
    figures: list[tuple[str, Callable[[LimitedResult], float]]] = [
        ("fake accepted -> mark, median ms", lambda r: accepted_to_mark(r)[0]),
        ("fake accepted -> mark, p99 ms", lambda r: accepted_to_mark(r)[1]),
        ("fake accepted -> mark, max ms", lambda r: accepted_to_mark(r)[2]),
        ("answer written -> mark, median ms", lambda r: answer_to_mark(r)[0]),
        ("answer written -> mark, p99 ms", lambda r: answer_to_mark(r)[1]),
    ]
    if any(r.kills for r in new.results):
        figures.append(("duplicates per kill", per_kill))
    for label, pick in figures:
        a, b = new.medians(pick), old.medians(pick)
        ratio = f"reference / shipped = {b / a:.1f}" if a > 0 else ""
        rows.append((f"bursts: {label}", f"{a:.2f} vs {b:.2f}", ratio))
    return rows
