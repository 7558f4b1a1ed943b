"""/bao-cao: the reports of the viewer's area, filtered and paged; /bao-cao/{id}: one report
with its answers (the form's labels, as chat's summary shows them), its photos and its
history (the lines /lichsu shows, each change in the form's words: bot/web/report_history.py).

Every report is checked against the viewer's area now (403 outside it, 404 unknown); the
answers of tips and reintegration visits stay withheld from roles `[tally] details_roles`
leaves out, as the files withhold them (bot/tally/privacy.py): the report is listed, its
answers, photos, place and the officers' notes are not shown.
"""

from __future__ import annotations

from datetime import date

from aiohttp import web

from bot.core import dates
from bot.core.engine import Services
from bot.core.ids import parse_id
from bot.phasereport.photos import one as photo_bytes
from bot.reports.alert_media import photo_answers
from bot.reports.filling import summary_pairs
from bot.reports.kinds import Viewer as Reader
from bot.web.keys import PHOTOS, services_of
from bot.web.render import html
from bot.web.report_filters import (
    details_hidden,
    kind_options,
    kind_title,
    read_filters,
    state_label,
    state_options,
    unit_options,
)
from bot.web.report_history import page_changes
from bot.web.session import Viewer, need_pages
from storage import report_lists, reports
from storage.db import Tx
from storage.reports import NamedReport
from storage.subtree import in_scope

routes = web.RouteTableDef()

WITHHELD = "(chi tiết chỉ dành cho Công an xã trở lên)"  # as the files say it


def listed_rows(services: Services, found: list[report_lists.ListedReport]) -> list[dict[str, str]]:
    """The lines of a report table: number, kind, team, reporter, day, filed at, state."""
    return [
        {
            "id": str(r.id),
            "number": r.number,
            "kind": kind_title(services, r.kind),
            "unit": r.unit_name,
            "reporter": r.reporter,
            "day": dates.day(date.fromisoformat(r.report_date)),
            "filed": dates.stored_stamp(r.created_at),
            "state": state_label(services, r.state, r.status),
        }
        for r in found
    ]


def _page_number(request: web.Request) -> int:
    text = request.query.get("trang", "1")
    return int(text) if text.isascii() and text.isdigit() and text != "0" else 1


@routes.get("/bao-cao")
async def listing(request: web.Request) -> web.StreamResponse:
    """The filter form, one page of reports, links to the others."""
    viewer = need_pages(request)
    services = services_of(request)
    size = services.config.web.page_size
    async with services.db.read(replica=True) as tx:
        chosen = await read_filters(request, tx, viewer, services)
        assert chosen.filters is not None
        total = 0 if chosen.nothing else await report_lists.count(tx, chosen.filters)
        pages = max(1, -(-total // size))
        page_no = min(_page_number(request), pages)
        found = (
            []
            if chosen.nothing
            else await report_lists.page(tx, chosen.filters, size, (page_no - 1) * size)
        )
        units = await unit_options(tx, viewer)
    return html(
        request,
        "reports.html",
        title="Báo cáo",
        chosen=chosen,
        kinds=kind_options(services),
        states=state_options(services),
        units=units,
        rows=listed_rows(services, found),
        total=total,
        page_no=page_no,
        pages=pages,
        query=chosen.query(),
        action="/bao-cao",
    )


async def report_in_scope(tx: Tx, request: web.Request, viewer: Viewer) -> NamedReport:
    """The report in the path: 404 unknown, 403 outside the viewer's area."""
    report_id = parse_id(request.match_info["report_id"])
    row = await reports.get(tx, report_id) if report_id is not None else None
    if row is None:
        raise web.HTTPNotFound()
    if not in_scope(viewer.member.unit_path, row.unit_path):
        raise web.HTTPForbidden()
    return row


@routes.get("/bao-cao/{report_id}")
async def detail(request: web.Request) -> web.StreamResponse:
    """One report: who, when, where it stands, its answers, photos and history."""
    viewer = need_pages(request)
    services = services_of(request)
    async with services.db.read(replica=True) as tx:
        row = await report_in_scope(tx, request, viewer)
        hidden = details_hidden(services, viewer, row.kind)
        category = services.forms.find(row.kind)
        fields: list[tuple[str, str]] = []
        photos = 0
        if not hidden and category is not None:
            fields = await summary_pairs(Reader(services.texts, "vi", tx), category, row.answers)
            photos = len(photo_answers(category, row.answers))
        history = await page_changes(tx, services.texts, category, row.id, private=hidden)
    return html(
        request,
        "report.html",
        title=f"Báo cáo {row.number}",
        report=row,
        kind=kind_title(services, row.kind),
        day=dates.day(date.fromisoformat(row.report_date)),
        filed=dates.stored_stamp(row.created_at),
        state=state_label(services, row.state, row.status),
        fields=fields,
        hidden=hidden,
        withheld=WITHHELD,
        photos=range(1, photos + 1),
        history=history,
    )


@routes.get("/bao-cao/{report_id}/anh/{n}")
async def photo(request: web.Request) -> web.StreamResponse:
    """The n-th photo of a report (from 1), for a viewer who may see the report's answers."""
    viewer = need_pages(request)
    services = services_of(request)
    async with services.db.read(replica=True) as tx:
        row = await report_in_scope(tx, request, viewer)
    if details_hidden(services, viewer, row.kind):
        raise web.HTTPForbidden()
    category = services.forms.find(row.kind)
    refs = [ref for _, ref in photo_answers(category, row.answers)] if category else []
    n = parse_id(request.match_info["n"])
    if n is None or not 1 <= n <= len(refs):
        raise web.HTTPNotFound()
    data = await photo_bytes(refs[n - 1], services.config, request.app[PHOTOS]["fetch"])
    if not data:
        raise web.HTTPNotFound()
    return web.Response(
        body=data,
        content_type=_image_type(data),
        headers={"Cache-Control": "private, max-age=600", "X-Content-Type-Options": "nosniff"},
    )


def _image_type(data: bytes) -> str:
    """The image's type from its first bytes (messengers send JPEG, sometimes PNG or WebP)."""
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "image/jpeg"
