"""/tai-ve: the viewer's file links still open, and forms that make a file for a unit in
their scope: the tally's workbook, CSV (both styles) and chart, the phase report and its
annex, the commendation list.

Making a file is a change (POST, with the session's CSRF token): the bytes are rendered,
stored behind a link of the viewer's (bot/web/links.py `file`), and the browser is sent back
to the list (303), so reloading the list never makes the file again. A listed file opens at
/tai-ve/tep/<link id> for its own member only.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.commend import occasions
from bot.core.clock import iso
from bot.core.engine import Services
from bot.phasereport.content import ALL, started
from bot.web import links
from bot.web.auth import when
from bot.web.files import send_link
from bot.web.keys import PHOTOS, services_of
from bot.web.render import html
from bot.web.session import Viewer, need_pages
from bot.web.tally import makers
from bot.web.tally.page import TALLIES, quick_periods
from bot.web.tally.query import BadPeriod, period_of, unit_of
from storage import units
from storage import web as webstore
from storage.units import Unit

log = logging.getLogger(__name__)

routes = web.RouteTableDef()

PATH = "/tai-ve"
OPEN_PATH = "/tai-ve/tep/{link_id}"
MAX_UNITS = 400  # above this, the unit lists stop one level below the viewer's unit


def units_offered(below: list[Unit], own_path: str) -> list[Unit]:
    """The units a form offers: every one in scope when they are few, else the viewer's
    unit and those directly below it (a team's files come from its tally page)."""
    if len(below) <= MAX_UNITS:
        return below
    depth = own_path.count("/")
    return [u for u in below if u.path.count("/") - depth <= 1][:MAX_UNITS]


def _moment(stored: str, services: Services) -> str:
    return when(datetime.fromisoformat(stored.replace("Z", "+00:00")), services.clock.tz)


async def _page(
    request: web.Request, viewer: Viewer, *, error: str = "", status: int = 200
) -> web.Response:
    """The list of live links and the forms; `error` says why the last request made nothing."""
    services = services_of(request)
    now = services.clock.now()
    member = viewer.member
    async with services.db.read(replica=True) as tx:
        found = await webstore.links_of(tx, member.id, iso(now))
        found += [p for p in await webstore.links_of(tx, member.id, iso(now), "photo") if p.path]
        below = await units.named_under(tx, member.unit_path, open_only=False)
    offered = units_offered(below, member.unit_path)
    found.sort(key=lambda link: (link.created_at, link.id), reverse=True)
    files = [
        {
            "id": link.id,
            "name": link.filename,
            "made": _moment(link.created_at, services),
            "expires": _moment(link.expires_at, services),
        }
        for link in found
    ]
    config = services.config
    today = now.date()
    phases = [(f"p{i}", p.name) for i, p in started(config.tally.phases, today)]
    if phases:
        phases.append((ALL, services.texts.t("vi", "phase_report.whole_movement")))
    offered_occasions = [
        (o.code, o.title(services.texts.t("vi", "commend.festival", year=o.end.year)))
        for o in occasions.offered(config.tally.phases, today)
    ]
    values: dict[str, Any] = {
        "files": files,
        "units": offered,
        "own": member.unit_id,
        "quick": quick_periods(services, today, None),
        "phases": phases,
        "occasions": offered_occasions,
        "error": error,
        "made": request.query.get("da-tao") == "1" and not error,
        "csv_other": "excel-vi" if config.tally.csv_style == "standard" else "standard",
    }
    return html(request, "downloads.html", title="Tệp tải về", status=status, **values)


@routes.get(PATH)
async def downloads(request: web.Request) -> web.StreamResponse:
    """The viewer's files and the forms that make more."""
    return await _page(request, need_pages(request))


@routes.post(PATH)
async def make(request: web.Request) -> web.StreamResponse:
    """Make one file for a unit in scope, store it behind the viewer's link, back to the list."""
    viewer = need_pages(request)
    services = services_of(request)
    form = await request.post()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    async with services.db.read(replica=True) as tx:
        unit = await unit_of(tx, viewer.member, fields.get("don-vi"))
    try:
        made = await _render(request, services, viewer, unit, fields)
    except (BadPeriod, makers.CannotMake) as err:
        return await _page(request, viewer, error=err.text, status=400)
    async with services.db.transaction() as tx:
        await links.file(
            tx, services.config, viewer.member.id, services.clock.now(), made.filename, made.data
        )
    log.info("web file made", extra={"kind": fields.get("tep", ""), "bytes": len(made.data)})
    raise web.HTTPSeeOther(PATH + "?da-tao=1")


async def _render(
    request: web.Request, services: Services, viewer: Viewer, unit: Unit, fields: dict[str, str]
) -> makers.Made:
    """The bytes of the file the form asks for."""
    kind = fields.get("tep", "")
    if kind in makers.TALLY_FILES:
        period = period_of(fields, services.clock.now().date(), services.config)
        computed = await request.app[TALLIES].tally(services, unit, period)
        return await makers.tally_file(services, computed, kind, viewer.member)
    if kind in makers.PHASE_FILES:
        fetch = request.app[PHOTOS].get("fetch")
        return await makers.phase_file(services, unit, fields.get("dot", ""), kind, fetch)
    if kind in makers.COMMEND_FILES:
        return await makers.commend_file(services, unit, fields.get("dip", ""), kind)
    raise makers.CannotMake(
        "Chọn loại tệp cần tạo (Excel, CSV, biểu đồ, báo cáo đợt, danh sách khen thưởng)."
    )


@routes.get(OPEN_PATH)
async def open_listed(request: web.Request) -> web.StreamResponse:
    """A listed file, for the member it was made for (ids of others' links open nothing)."""
    viewer = need_pages(request)
    services = services_of(request)
    wanted = request.match_info["link_id"]
    now = iso(services.clock.now())
    async with services.db.read(replica=True) as tx:
        mine = await webstore.links_of(tx, viewer.member.id, now)
        mine += await webstore.links_of(tx, viewer.member.id, now, "photo")
    link = next((x for x in mine if str(x.id) == wanted and x.path), None)
    if link is None:
        raise web.HTTPNotFound()
    return await send_link(request, link)
