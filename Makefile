PYTHON ?= .venv/bin/python

.PHONY: test fuzz lint typecheck fmt bench bench-taps bench-wizard bench-tally bench-outbox bench-import bench-export bench-rush bench-alerts bench-roster bench-web bench-national bench-copy

test:
	$(PYTHON) -m pytest

# What the suite's code-quality test checks, on its own: ruff's rules and formatting.
lint:
	$(PYTHON) -m ruff check bot handlers storage tests
	$(PYTHON) -m ruff format --check bot handlers storage tests

typecheck:
	$(PYTHON) -m mypy bot handlers storage

# Rewrite the code the way `make lint` wants it (formatting, then the fixable rules).
fmt:
	$(PYTHON) -m ruff format bot handlers storage tests
	$(PYTHON) -m ruff check --fix bot handlers storage tests

# The property-based fuzz at length: random update sequences on Telegram, Zalo and the
# terminal (the suite runs 60 fixed ones per messenger); a failure is shrunk to the shortest
# sequence that shows it. `make fuzz FUZZ_EXAMPLES=20000` for a longer hunt.
FUZZ_EXAMPLES ?= 2000
fuzz:
	ANTT_FUZZ_PROFILE=long ANTT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PYTHON) -m pytest -q -p no:cacheprovider tests/inproc/test_fuzz.py

# Every benchmark; each prints figures and asserts nothing.
bench: bench-taps bench-wizard bench-tally bench-outbox bench-import bench-export bench-rush \
	bench-alerts bench-roster bench-web bench-national bench-copy

# Messages per report kind on its shortest path, first time and routine, on Telegram and Zalo.
bench-taps:
	$(PYTHON) -m tests.bench.taps $(TAPS_ARGS)

# Updates/second of the real bot on patrol wizards vs. a python-telegram-bot echo bot, the
# database round trips per update, plus peak memory; pass options with e.g. `make bench-wizard BENCH_ARGS="--members 100 --runs 3"`.
bench-wizard:
	$(PYTHON) -m tests.bench.wizard $(BENCH_ARGS)

# /tally on a province-sized database (5,000 teams, ~5 million reports; built once, about a
# minute, cached in data/bench/) vs. a bare SQL aggregate, plus peak memory; pass options with
# e.g. `make bench-tally TALLY_ARGS="--runs 3 --month 2026-09 --explain"`.
bench-tally:
	$(PYTHON) -m tests.bench.tally $(TALLY_ARGS)

# The province tally page (/thong-ke, 5,000 teams) on bench-tally's cached database, served
# by the real web application in-process to a signed-in supervisor: p50/p95 of the page cold
# (computing) and warm (the kept tally), next to the bare computation; e.g.
# `make bench-web WEB_ARGS="--runs 5 --month 2026-09"`.
bench-web:
	$(PYTHON) -m tests.bench.web_tally $(WEB_ARGS)

# The outbox: capacity (20,000 rows, in-process, vs. bare python-telegram-bot), then the real
# bot at the default 25/s against a fake enforcing Telegram's caps, with a kill -9 half-way
# (about 14 minutes at 25/s), then the duplicate window on announcement bursts, shipped vs.
# the old database behaviour (about 2 minutes); quick run: `make bench-outbox
# OUTBOX_ARGS="--messages 2000"`. Options: --runs N (capacity, 0 skips), --skip-limited,
# --kills N, --crash-runs N (0 skips phase 3), --bursts N, --crash-kills N (kill -9 at random
# moments, e.g. "--runs 0 --skip-limited --crash-runs 1 --bursts 40 --crash-kills 100"),
# --fsync-ms N (phase 3 on an emulated slow disk, needs a C compiler), --inbound N.
bench-outbox:
	$(PYTHON) -m tests.bench.outbox $(OUTBOX_ARGS)

# `antt-bot org import` of 100,000 units (3 runs, under a minute) while the real engine
# handles 50 updates/s on the same SQLite file: import time and the bot's update latency
# with and without the import; quick run: `make bench-import IMPORT_ARGS="--rows 20000 --runs 1"`.
bench-import:
	$(PYTHON) -m tests.bench.orgimport $(IMPORT_ARGS)

# The tally workbook of a busy commune month (60 teams, 15,000 reports; under a minute) vs. a
# bare openpyxl file of as many rows and columns: median of 5 runs and the ratio; options e.g.
# `make bench-export EXPORT_ARGS="--runs 9 --reports 30000"`.
bench-export:
	$(PYTHON) -m tests.bench.export $(EXPORT_ARGS)

# The 21:00 rush against a fake Bot API enforcing 30 messages/s: (a) 500 members file a
# patrol at once (time against the floor, messages per patrol; about 3 minutes a run), (b)
# members arriving with a few seconds' thought per step while a reminder wave drains (p50/p95
# wait per step; --scale 1 is the full 10 minutes); e.g. `make bench-rush RUSH_ARGS="--runs 1"`.
bench-rush:
	$(PYTHON) -m tests.bench.rush $(RUSH_ARGS)

# Seconds from an urgent report's "Gửi báo cáo" entering the bot to each officer's first alert
# on the fake Bot API (p50/p95/max), under the wizard benchmark's load (150 members at once,
# 1 in 20 filing a tip marked Khẩn cấp or a fire; 3 communes with 2 officers each) with the
# production pace (30/s limiter, outbox at the configured rate), next to the same reports
# filed alone; about a minute a run; e.g. `make bench-alerts ALERT_ARGS="--runs 1 --no-pace"`.
bench-alerts:
	$(PYTHON) -m tests.bench.alert_latency $(ALERT_ARGS)

# Roster import of 2,000 people in 40 teams, the re-import (everyone already listed) and the
# printed sheet with a QR code each; e.g. `make bench-roster ROSTER_ARGS="--rows 200 --teams 10"`.
bench-roster:
	$(PYTHON) -m tests.bench.roster $(ROSTER_ARGS)

# The whole country (34 provinces, 3,321 communes, 86,000 teams, 276,000 members, three months,
# ~23 million reports; built once, about 8 minutes and 9 GiB, cached in data/bench/): the
# national month tally and a province's phase tally next to bare aggregates, a commune's XLSX,
# then the evening reminder planned for every member and drained over 34 bots (one per
# province) against fakes capping each at 30/s; e.g. `make bench-national NATIONAL_ARGS="--runs
# 3 --wave-members 276000"` (the full wave, ~5 minutes), or "--no-wave", "--no-tally".
bench-national:
	$(PYTHON) -m tests.bench.national $(NATIONAL_ARGS)

# `antt-bot db copy` of a synthetic province (1,000 members, 50,000 reports) into PostgreSQL
# (a server of the benchmark's own), in one transaction and in chunks, and into SQLite, then
# a second run with nothing new; e.g. `make bench-copy COPY_ARGS="--reports 200000"`.
bench-copy:
	$(PYTHON) -m tests.bench.copy $(COPY_ARGS)
