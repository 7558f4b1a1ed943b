"""The wizard benchmark's two-process driver (tests/bench/wizard_procs.py) end to end on a tiny
stream: two real bot processes on one database, each taking the updates of its own chats.
Figures are printed, never asserted: only that the run completes its checks (every dialog ended
in exactly one report, every process saw the other alive and left the table) and reports."""

from __future__ import annotations

import pytest

from tests.bench.wizard import bench
from tests.bench.wizard_data import make_people
from tests.bench.wizard_procs import deal


@pytest.mark.sqlite_only  # no database: how the chats are shared out
def test_each_chat_goes_to_one_process_and_the_shares_are_even() -> None:
    people = make_people(10)
    shares = deal(people, 2)
    assert sorted(p.index for share in shares for p in share) == list(range(10))
    assert [len(share) for share in shares] == [5, 5]
    assert all([p.index for p in share] == sorted(p.index for p in share) for share in shares)
    assert all({p.team for p in share} == {p.team for p in people} for share in shares)


async def test_two_processes_file_every_report_once_and_the_figures_are_printed(
    db_backend: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # run_procs raises SystemExit unless each of the 4 dialogs ended in exactly one report,
    # each process saw both alive when released, and both left the processes' table.
    await bench(4, 1, (db_backend,), (2,))
    out = capsys.readouterr().out
    label = "SQLite" if db_backend == "sqlite" else "PostgreSQL"
    name = "antt-2p" if db_backend == "sqlite" else "antt-pg-2p"
    run_rows = [line.split() for line in out.splitlines() if line.split()[1:2] == [name]]
    assert len(run_rows) == 1 and run_rows[0][2] == "36"  # 4 dialogs of 9 updates
    assert f"{label}, 2 processes" in out
    assert "echo (PTB only)" in out
    assert "this machine has" in out and "ratio to echo" in out
