"""The first page after signing in: who you are, what you can open."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from bot.web.auth import role_label, when
from bot.web.keys import services_of
from bot.web.render import html
from bot.web.session import need_pages

routes = web.RouteTableDef()


@routes.get("/")
async def home(request: web.Request) -> web.StreamResponse:
    """The menu as cards, and when the session ends."""
    viewer = need_pages(request)
    expires = datetime.fromisoformat(viewer.session.expires_at.replace("Z", "+00:00"))
    return html(
        request,
        "home.html",
        title="Tổng quan",
        role=role_label(viewer.member.role),
        expires=when(expires, services_of(request).clock.tz),
    )
