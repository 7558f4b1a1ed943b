"""A round-robin TCP load balancer on loopback, in front of several bot processes.

Each connection goes to the next backend in turn; a backend that refuses (a killed process)
is skipped for the next one, as a real balancer's health check would.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools


class RoundRobin:
    """Listens on a free loopback port and passes each connection to one backend port."""

    def __init__(self, backends: list[int]) -> None:
        self.backends = backends
        self._turn = itertools.cycle(range(len(backends)))
        self._server: asyncio.Server | None = None
        self.port = 0
        self.connections: dict[int, int] = dict.fromkeys(backends, 0)

    async def start(self) -> RoundRobin:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        for _ in self.backends:
            port = self.backends[next(self._turn)]
            try:
                upstream = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                continue
            self.connections[port] += 1
            break
        if upstream is None:
            writer.close()
            return
        up_reader, up_writer = upstream
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))


async def _pipe(source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(65536):
            target.write(data)
            await target.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            target.close()
