"""Who is looking: the session cookie read into a `Viewer`, and the checks pages ask for.

A page trusts nothing the browser says but the cookie, and reads the member afresh on every
request: a member who left, or whose role or unit changed, has had their sessions ended
(storage/memberships.py), and what they may see is worked out from what they are now.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.core.clock import iso
from bot.core.engine import Services
from bot.core.roles import OVERSIGHT_ROLES
from bot.web.tokens import digest, well_formed
from storage import members
from storage import web as webstore
from storage.members import Member
from storage.web import Session

COOKIE = "antt_session"


@dataclass(frozen=True)
class Viewer:
    """A signed-in member and their session."""

    member: Member
    session: Session

    @property
    def pages(self) -> bool:
        """Whether this session opens the pages (signed in with /web, and still a role
        that steers), not only this member's files."""
        return self.session.scope == "pages" and self.member.role in OVERSIGHT_ROLES

    @property
    def csrf(self) -> str:
        """The token every form of this session carries."""
        return self.session.csrf


VIEWER: web.RequestKey[Viewer | None] = web.RequestKey("viewer")  # who the request is from


async def load(request: web.Request, services: Services) -> Viewer | None:
    """The viewer behind the request's cookie, or None (no cookie, ended, expired, left)."""
    token = request.cookies.get(COOKIE, "")
    if not well_formed(token):
        return None
    now = iso(services.clock.now())
    async with services.db.read() as tx:
        session = await webstore.session_by_hash(tx, digest(token))
        if session is None or not session.live(now):
            return None
        member = await members.get(tx, session.member_id)
    if member is None or not member.active:
        return None
    return Viewer(member, session)


def viewer_of(request: web.Request) -> Viewer | None:
    """The viewer the session middleware found, if any."""
    found = request.get(VIEWER)
    return found if isinstance(found, Viewer) else None


def need_pages(request: web.Request) -> Viewer:
    """The viewer of a page; refuse anyone not signed in with /web as officer or above."""
    viewer = viewer_of(request)
    if viewer is None:
        raise web.HTTPUnauthorized()
    if not viewer.pages:
        raise web.HTTPForbidden()
    return viewer
