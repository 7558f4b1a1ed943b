"""Session-wide set-up: with ANTT_TEST_BACKEND=postgresql, a PostgreSQL server of the tests'
own (tests/support/backend.py), and each test's databases dropped after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import backend


@pytest.fixture(scope="session", autouse=True)
def _postgres_server() -> Iterator[None]:
    if backend.ON_POSTGRES:
        backend.server()
    yield
    backend.stop_server()


@pytest.fixture(autouse=True)
def _drop_test_databases() -> Iterator[None]:
    yield
    backend.drop_made_sync()
