PYTHON ?= .venv/bin/python

.PHONY: test bench

test:
	$(PYTHON) -m pytest

# Updates/second of the real bot on patrol wizards vs. a python-telegram-bot echo bot, plus
# peak memory; pass options with e.g. `make bench BENCH_ARGS="--members 100 --runs 3"`.
bench:
	$(PYTHON) -m tests.bench.wizard $(BENCH_ARGS)
