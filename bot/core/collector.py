"""Pausing CPython's cyclic garbage collector around work that makes very many objects and
no reference cycles.

The collector runs by allocation counts: every 700 new container objects it looks at the
youngest, and as survivors pile up it walks every object the process holds. A tally of the
whole country builds about a million small tuples, dicts and dataclasses (86,000 teams with
14 judged targets each) that all live until the tally is shown, so the collector walked them
again and again for nothing: 2.7 s of an 11.6 s tally. None of them form a cycle (they are
freed by reference counting when the tally goes), so the collector waits while a tally is
computed and then runs at its usual pace.

The collector is one per process: pauses may overlap (two tallies at once, interleaved on
the event loop); it runs again when the last one ends, and stays off if something else had
turned it off before.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_paused = 0  # pauses in progress
_resume = False  # whether the collector was on when the first of them began


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold the cyclic collector off for the block (see the module's docstring for why)."""
    global _paused, _resume
    if _paused == 0:
        _resume = gc.isenabled()
        gc.disable()
    _paused += 1
    try:
        yield
    finally:
        _paused -= 1
        if _paused == 0 and _resume:
            gc.enable()
