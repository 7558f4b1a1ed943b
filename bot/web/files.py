"""Opening a link to a file the bot made (a workbook, a CSV, a chart, a DOCX) or a photo.

- A photo link opens for whoever holds it until it expires: the messenger fetches it itself
  (Zalo's sendPhoto takes only a URL).
- Any other file opens for its member only: in a browser signed in as them, or, opened first
  without a session, after one tap on "Tải về" (a preview must not claim it), which ties the
  link to that browser with a session that opens this member's files and nothing else. A
  forwarded link then opens nowhere else, and a session of someone else is refused.
- Links end when they expire and when their member leaves or changes role (then revoked).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from bot.core.clock import iso
from bot.phasereport.photos import one as photo_bytes
from bot.web.auth import open_session, set_session_cookie, when
from bot.web.keys import ATTEMPTS, PHOTOS, client_address, services_of
from bot.web.render import html, message
from bot.web.session import Viewer, viewer_of
from bot.web.tokens import digest, well_formed
from storage import members
from storage import web as webstore
from storage.web import Link

log = logging.getLogger(__name__)

routes = web.RouteTableDef()

FILE_PREFIX = "/tep/"
ASK_AGAIN = "Gõ lại lệnh trong chat với bot (ví dụ /thongke) để nhận liên kết mới của chính bạn."


async def _link(request: web.Request) -> Link | web.Response:
    """The live link in the path, or the page that says why it does not open."""
    services = services_of(request)
    now = services.clock.now()
    if not request.app[ATTEMPTS].allow(client_address(request), now):
        raise web.HTTPTooManyRequests()
    token = request.match_info["token"]
    link = None
    if well_formed(token):
        async with services.db.read() as tx:
            link = await webstore.link_by_hash(tx, digest(token))
    if link is None or link.purpose == "signin":
        return _refused(request, "Liên kết không đúng", "Không có tệp nào ở liên kết này.", 404)
    if link.revoked_at is not None:
        return _refused(request, "Liên kết đã bị thu hồi", "Liên kết tệp này đã bị thu hồi.", 410)
    if not link.live(iso(now)):
        return _refused(request, "Liên kết hết hạn", "Liên kết tệp này đã hết hạn.", 410)
    return link


def _refused(request: web.Request, title: str, text: str, status: int) -> web.Response:
    log.info("web file refused", extra={"status": status})
    return message(request, title, text, hint=ASK_AGAIN, status=status)


def _owner(viewer: Viewer | None, link: Link) -> bool | None:
    """True: the owner's browser; False: someone else's; None: nobody signed in."""
    if viewer is None:
        return None
    return viewer.member.id == link.member_id


@routes.get(FILE_PREFIX + "{token}")
async def open_file(request: web.Request) -> web.StreamResponse:
    """The file itself for its owner (or for anyone, a photo); else a page saying why."""
    found = await _link(request)
    if isinstance(found, web.Response):
        return found
    link = found
    if link.purpose == "photo":
        return await send_link(request, link)
    owner = _owner(viewer_of(request), link)
    if owner is True:
        return await send_link(request, link)
    if owner is False or link.claimed_by is not None:
        log.info("web file refused", extra={"status": 403})
        return message(
            request,
            "Không mở được tệp",
            "Tệp này được tạo cho người khác, hoặc liên kết đã được mở trên một trình duyệt khác.",
            hint=ASK_AGAIN,
            status=403,
        )
    services = services_of(request)
    async with services.db.read() as tx:
        member = await members.get(tx, link.member_id)
    expires = datetime.fromisoformat(link.expires_at.replace("Z", "+00:00"))
    return html(
        request,
        "file_open.html",
        title="Tải tệp",
        filename=link.filename,
        name=member.full_name if member is not None else "",
        expires=when(expires, services.clock.tz),
    )


@routes.post(FILE_PREFIX + "{token}")
async def claim_file(request: web.Request) -> web.StreamResponse:
    """ "Tải về" on a link opened without a session: tie it to this browser, then send it."""
    found = await _link(request)
    if isinstance(found, web.Response):
        return found
    link = found
    owner = _owner(viewer_of(request), link)
    back = web.HTTPSeeOther(request.path)
    if owner is True or link.purpose == "photo":
        raise back
    services = services_of(request)
    if owner is None:
        async with services.db.read() as tx:
            member = await members.get(tx, link.member_id)
        if member is not None and member.active and link.claimed_by is None:
            token, session_id = await open_session(
                request, link.member_id, "files", services.clock.now()
            )
            async with services.db.transaction() as tx:
                claimed = await webstore.claim_link(tx, link.id, session_id)
            if claimed:
                web_config = services.config.web
                set_session_cookie(back, token, web_config.session_hours, web_config.secure)
                raise back
    log.info("web file refused", extra={"status": 403})
    return message(
        request,
        "Không mở được tệp",
        "Liên kết này đã được mở trên một trình duyệt khác.",
        hint=ASK_AGAIN,
        status=403,
    )


async def send_link(request: web.Request, link: Link) -> web.StreamResponse:
    """A link's file, typed and named so a document is saved and a picture shown; the link
    itself and the downloads page's list both send through here."""
    services = services_of(request)
    data: bytes | None = None
    if link.path:
        folder = Path(services.config.web.files_dir).resolve()
        path = (folder / link.path).resolve()
        if path.is_relative_to(folder) and path.is_file():
            data = await asyncio.to_thread(path.read_bytes)
    elif link.ref:
        data = await photo_bytes(link.ref, services.config, request.app[PHOTOS].get("fetch"))
    if data is None:
        return _refused(request, "Tệp không còn", "Tệp này không còn trên máy chủ.", 410)
    disposition = "inline" if link.content_type.startswith("image/") else "attachment"
    ascii_name = link.filename.encode("ascii", "ignore").decode() or "tep"
    response = web.Response(body=data, content_type=link.content_type.split(";")[0])
    if "charset" in link.content_type:
        response.charset = "utf-8"
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(link.filename)}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    log.info("web file sent", extra={"purpose": link.purpose, "bytes": len(data)})
    return response
