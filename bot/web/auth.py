"""Signing in with the one-time link /web sends, and signing out.

Opening the link (GET) only shows who it is for and a button: messengers open links to show
a preview, and a preview must not spend the link. The button (POST) spends it, once, and
opens a session: a random cookie (HttpOnly, SameSite=Lax, Secure over HTTPS) that lasts
`[web] session_hours`. Every refusal says what to do next.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from aiohttp import web

from bot.core.clock import iso
from bot.core.roles import OVERSIGHT_ROLES, ROLE_LABELS, Role
from bot.web.keys import ATTEMPTS, client_address, services_of
from bot.web.render import html, message
from bot.web.session import COOKIE, VIEWER, viewer_of
from bot.web.tokens import digest, new_token, well_formed
from storage import members
from storage import web as webstore
from storage.members import Member
from storage.web import Link

log = logging.getLogger(__name__)

routes = web.RouteTableDef()

SIGNIN_PREFIX = "/vao/"
ASK_AGAIN = "Gõ /web trong chat với bot để nhận liên kết mới."


def when(moment: datetime, tz: object) -> str:
    """A moment as people read it here: 21:05 30/11/2026, local time."""
    return moment.astimezone(tz).strftime("%H:%M %d/%m/%Y")  # type: ignore[arg-type]


def role_label(role: str) -> str:
    """A role's Vietnamese name."""
    try:
        return ROLE_LABELS[Role(role)]["vi"]
    except ValueError:
        return role


def set_session_cookie(
    response: web.StreamResponse, token: str, hours: float, secure: bool
) -> None:
    """The session cookie: not readable by scripts, not sent with other sites' posts."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(hours * 3600),
        httponly=True,
        samesite="Lax",
        secure=secure,
        path="/",
    )


async def open_session(
    request: web.Request, member_id: int, scope: str, now: datetime
) -> tuple[str, int]:
    """Start a session for a member; its cookie token and id."""
    services = services_of(request)
    token = new_token()
    expires = now + timedelta(hours=services.config.web.session_hours)
    async with services.db.transaction() as tx:
        session_id = await webstore.add_session(
            tx, digest(token), member_id, scope, new_token(), iso(now), iso(expires)
        )
    return token, session_id


async def _signin_link(request: web.Request) -> tuple[Link, Member] | web.Response:
    """The sign-in link in the path and its member, or the page that says why not."""
    services = services_of(request)
    now = services.clock.now()
    if not request.app[ATTEMPTS].allow(client_address(request), now):
        raise web.HTTPTooManyRequests()
    token = request.match_info["token"]
    if not well_formed(token):
        return _refusal(request, "Liên kết không đúng", "Liên kết đăng nhập này không đúng.", 404)
    async with services.db.read() as tx:
        link = await webstore.link_by_hash(tx, digest(token))
        member = await members.get(tx, link.member_id) if link is not None else None
    if link is None or link.purpose != "signin" or member is None:
        return _refusal(request, "Liên kết không đúng", "Liên kết đăng nhập này không đúng.", 404)
    if link.used_at is not None:
        return _refusal(request, "Liên kết đã dùng", "Liên kết đăng nhập này đã được dùng.", 410)
    if not link.live(iso(now)):
        return _refusal(request, "Liên kết hết hạn", "Liên kết đăng nhập này đã hết hạn.", 410)
    if not member.active or member.role not in OVERSIGHT_ROLES:
        raise web.HTTPForbidden()
    return link, member


def _refusal(request: web.Request, title: str, text: str, status: int) -> web.Response:
    log.info("web sign-in refused", extra={"status": status})
    return message(request, title, text, hint=ASK_AGAIN, status=status)


@routes.get(SIGNIN_PREFIX + "{token}")
async def signin_page(request: web.Request) -> web.StreamResponse:
    """Who the link is for, and the button that signs in."""
    found = await _signin_link(request)
    if isinstance(found, web.Response):
        return found
    link, member = found
    tz = services_of(request).clock.tz
    expires = datetime.fromisoformat(link.expires_at.replace("Z", "+00:00"))
    return html(
        request,
        "signin.html",
        title="Đăng nhập",
        name=member.full_name,
        role=role_label(member.role),
        unit=member.unit_name,
        expires=when(expires, tz),
    )


@routes.post(SIGNIN_PREFIX + "{token}")
async def signin(request: web.Request) -> web.StreamResponse:
    """Spend the link and open a session; a second tap finds it spent."""
    found = await _signin_link(request)
    if isinstance(found, web.Response):
        return found
    link, member = found
    services = services_of(request)
    now = services.clock.now()
    async with services.db.transaction() as tx:
        spent = await webstore.use_link(tx, link.id, iso(now))
    if not spent:
        return message(
            request,
            "Liên kết đã dùng",
            "Liên kết đăng nhập này đã được dùng.",
            hint=ASK_AGAIN,
            status=410,
        )
    token, _ = await open_session(request, member.id, "pages", now)
    log.info("web signed in", extra={"role": member.role})
    response = web.HTTPSeeOther("/")
    set_session_cookie(
        response, token, services.config.web.session_hours, services.config.web.secure
    )
    raise response


@routes.post("/thoat")
async def signout(request: web.Request) -> web.StreamResponse:
    """End the session here and forget the cookie."""
    services = services_of(request)
    viewer = viewer_of(request)
    if viewer is not None:
        async with services.db.transaction() as tx:
            await webstore.end_session(tx, viewer.session.id, iso(services.clock.now()))
    request[VIEWER] = None
    response = message(
        request,
        "Đã đăng xuất",
        "Bạn đã đăng xuất.",
        hint="Gõ /web trong chat với bot khi cần đăng nhập lại.",
    )
    response.del_cookie(COOKIE, path="/")
    return response
