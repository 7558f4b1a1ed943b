"""Listening on a TCP port with aiohttp: the web server and, without it, Zalo's webhook."""

from __future__ import annotations

from aiohttp import web


async def listen(runner: web.AppRunner, host: str, port: int) -> int:
    """Set up `runner` and listen on host:port; the port listened on (0 asks for a free one,
    which tests use)."""
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = getattr(site, "_server", None)
    sockets = getattr(server, "sockets", None) or []
    return int(sockets[0].getsockname()[1]) if sockets else port
