PYTHON ?= .venv/bin/python

.PHONY: test bench bench-wizard bench-tally

test:
	$(PYTHON) -m pytest

# Both benchmarks; each prints figures and asserts nothing.
bench: bench-wizard bench-tally

# Updates/second of the real bot on patrol wizards vs. a python-telegram-bot echo bot, plus
# peak memory; pass options with e.g. `make bench-wizard BENCH_ARGS="--members 100 --runs 3"`.
bench-wizard:
	$(PYTHON) -m tests.bench.wizard $(BENCH_ARGS)

# /tally on a province-sized database (5,000 teams, ~5 million reports; built once, about a
# minute, cached in data/bench/) vs. a bare SQL aggregate, plus peak memory; pass options with
# e.g. `make bench-tally TALLY_ARGS="--runs 3 --month 2026-09 --explain"`.
bench-tally:
	$(PYTHON) -m tests.bench.tally $(TALLY_ARGS)
