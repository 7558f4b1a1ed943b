"""`antt-bot run` as the outbox benchmark starts it: the real entry point, measured.

    python -m tests.bench.outbox_bot --config FILE run

This is `bot.__main__.main`, the function behind `antt-bot`, with two additions:

- The sender's "outbox sent" debug line, written the moment a row's mark has committed, is
  logged with `at`, the exact time.time() of the record (the JSON `ts` keeps only
  milliseconds). The benchmark compares it with the time the fake Bot API accepted the
  message: how long a kill -9 would have found the row delivered but not yet marked, for
  every message of a run, without killing anything.
- OUTBOX_BENCH_FIRST_LANE=0 opens the database without the marks' first lane (one queue in
  arrival order, a mark as a full transaction), OUTBOX_BENCH_READER=0 without the read-only
  connection (reads take turns with writes) and OUTBOX_BENCH_CHECKPOINTS=0 without the
  background checkpointer (SQLite checkpoints inside commits): the three together are the
  behaviour before any of them existed, the benchmark's reference; one alone shows its share.
"""

from __future__ import annotations

import functools
import logging
import os
import sys

import bot.app
from bot.__main__ import main
from bot.core import logs
from storage.db import Database


class _Precise(logging.Filter):
    """Copy the record's own creation time into a field the JSON formatter prints."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every record; add `at`."""
        record.at = record.created
        return True


def _setup(level: str = "INFO") -> None:
    """The bot's log set-up, then the sender's logger at DEBUG with precise times."""
    _original_setup(level)
    sender = logging.getLogger("bot.outbox.sender")
    sender.setLevel(logging.DEBUG)
    sender.addFilter(_Precise())


_original_setup = logs.setup
logs.setup = _setup  # main() calls bot.core.logs.setup through the module
_settings: dict[str, object] = {}
if os.environ.get("OUTBOX_BENCH_FIRST_LANE") == "0":
    _settings["first_lane"] = False
if os.environ.get("OUTBOX_BENCH_READER") == "0":
    _settings["reader"] = False
if os.environ.get("OUTBOX_BENCH_CHECKPOINTS") == "0":
    _settings["checkpoint_seconds"] = None
if _settings:  # bot.app.build_services opens the database through this name
    bot.app.Database = functools.partial(Database, **_settings)  # type: ignore[misc]

if __name__ == "__main__":
    sys.exit(main())
