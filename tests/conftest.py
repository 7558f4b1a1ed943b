"""Session-wide set-up: every in-process test, and the e2e tests marked `both_backends`, run on
SQLite and on PostgreSQL (a server of the session's own, tests/support/backend.py), and each
test's databases are dropped after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import backend


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only: runs once, not on both backends: a test of SQLite's own machinery (its"
        " file, locks, checkpoints), or one that picks its databases itself",
    )
    config.addinivalue_line(
        "markers",
        "both_backends: an e2e test of the core (the real bot process) run on both databases",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_backend" not in metafunc.fixturenames:
        return
    in_process = "/tests/inproc/" in str(metafunc.definition.path)
    both = in_process or metafunc.definition.get_closest_marker("both_backends") is not None
    if not both or metafunc.definition.get_closest_marker("sqlite_only"):
        return
    metafunc.parametrize("db_backend", backend.chosen(), indirect=True)


@pytest.fixture(autouse=True)
def db_backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """The database this test runs on ("sqlite" unless parametrized)."""
    backend.current = getattr(request, "param", "sqlite")
    if backend.on_postgres():
        backend.server()  # started here, outside the test's event loop
    try:
        yield backend.current
    finally:
        backend.drop_made_sync()
        backend.current = "sqlite"


@pytest.fixture(scope="session", autouse=True)
def _postgres_server() -> Iterator[None]:
    yield
    backend.stop_server()
