"""A throw-away PostgreSQL server for the test session, from the machine's own binaries.

`initdb` and `pg_ctl` (PostgreSQL 15's, on PATH or under /usr/lib/postgresql/*/bin) make a
cluster in a temporary folder listening on a free loopback port; it is stopped at the end of
the session. The schema is migrated once into a template database, and every test gets its
own copy (`CREATE DATABASE ... TEMPLATE`, a file copy, about 50 ms). As root (CI containers),
the server runs as the `postgres` user, since PostgreSQL refuses to run as root.

Durability settings are off (fsync, synchronous_commit): the tests kill bot processes, never
the server, and a server crash would only lose a temporary folder.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from storage.pg import PgDatabase

TEMPLATE = "antt_template"
T = TypeVar("T")


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if not candidates:
        raise RuntimeError(
            f"PostgreSQL's {name} was not found: install the server binaries"
            " (Debian: apt-get install postgresql) to run the PostgreSQL half of the tests"
        )
    return candidates[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """One PostgreSQL cluster in a temporary folder, started and stopped by the tests."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="antt-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user = "antt"
        self._names = itertools.count(1)
        self._run_as: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chmod(self.root, 0o755)
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._run_as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        subprocess.run([*self._run_as, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> PgServer:
        """Create the cluster and start the server; returns self once it accepts logins."""
        self._run(
            _binary("initdb"),
            "-D",
            str(self.data),
            "-U",
            self.user,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            " -c max_connections=300 -c shared_buffers=64MB"
        )
        self._run(
            _binary("pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "start",
        )
        return self

    def stop(self) -> None:
        """Stop the server at once and delete its folder; safe to call twice."""
        if not self.data.exists():
            return
        try:
            self._run(_binary("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """The address of one database of this server."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    async def prepare_template(self) -> None:
        """Migrate the template database every test's database is copied from."""
        conn = await asyncpg.connect(self.url())
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE}")
            await conn.execute(f"CREATE DATABASE {TEMPLATE}")
        finally:
            await conn.close()
        db = await PgDatabase(self.url(TEMPLATE)).open()
        await db.close()

    async def fresh_database(self) -> str:
        """A new migrated database (a copy of the template); returns its URL."""
        name = f"t{os.getpid()}_{next(self._names)}"
        conn = await asyncpg.connect(self.url())
        try:
            await conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        finally:
            await conn.close()
        return self.url(name)

    async def drop_database(self, url: str) -> None:
        """Delete a test's database (its connections are closed by then)."""
        name = url.rsplit("/", 1)[-1]
        conn = await asyncpg.connect(self.url())
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await conn.close()


def run_anywhere(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end from synchronous code, also where an event loop is already
    running in this thread (then in a thread of its own)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def start_server() -> PgServer:
    """Start a server and its template, for the test session or a benchmark; stopped again
    if the template cannot be made, and at the latest when the process exits."""
    server = PgServer().start()
    atexit.register(server.stop)
    try:
        run_anywhere(server.prepare_template())
    except BaseException:
        server.stop()
        raise
    return server
