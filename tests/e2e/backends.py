"""A module's bot per database backend, for the e2e core run on SQLite and on PostgreSQL.

A module of e2e tests shares one bot process (its world: config, database, invite codes) among
its tests. Tests marked `both_backends` run once per backend (the `db_backend` parameter), so
the module keeps one world per backend, made at the first test that asks for it and stopped
with the module; the tests left on SQLite ask for the SQLite one.

    @pytest.fixture(scope="module")
    def worlds(emulator) -> Iterator[PerBackend[World]]:
        with PerBackend(lambda on: make_world(emulator, on)) as made:
            yield made

    @pytest.fixture
    def world(worlds, db_backend) -> World:
        return worlds.get(db_backend)
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from typing import Any, Generic, TypeVar

W = TypeVar("W")


class PerBackend(Generic[W]):
    """Worlds made on demand, one per backend, all closed together (in reverse order)."""

    def __init__(self, make: Callable[[str], AbstractContextManager[W]]) -> None:
        self._make = make
        self._made: dict[str, W] = {}
        self._stack = ExitStack()

    def get(self, backend: str) -> W:
        """The world on `backend`, made now if this is the first test asking for it."""
        if backend not in self._made:
            self._made[backend] = self._stack.enter_context(self._make(backend))
        return self._made[backend]

    def __enter__(self) -> PerBackend[W]:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stack.close()
