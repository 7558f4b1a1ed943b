"""/ban-do: the reports of the viewer's area that carry a location pin, on a map, with the
same filters as the list, and the same reports as a plain table under it.

Leaflet is shipped with the bot (bot/web/static/leaflet, BSD-2-Clause): the page loads no
script from elsewhere. Points are plain circles (no marker images), handed to the page's
script as JSON in the page; base tiles come from `[web] tile_url`. When the tiles cannot
load, or no tile server is configured, the circles still show on a plain background and the
page says the base map is missing; without JavaScript the table still lists every report.
"""

from __future__ import annotations

import json
from dataclasses import replace

from aiohttp import web

from bot.core import dates
from bot.web.keys import services_of
from bot.web.render import html
from bot.web.report_filters import (
    details_hidden,
    kind_options,
    kind_title,
    location_paths,
    locations,
    read_filters,
    state_options,
    unit_options,
)
from bot.web.reports import listed_rows
from bot.web.session import need_pages
from storage import report_lists

routes = web.RouteTableDef()

MAX_POINTS = 2000  # the newest; a wider area is narrowed with the filters


@routes.get("/ban-do")
async def map_page(request: web.Request) -> web.StreamResponse:
    """The map, its points as JSON, and the table of the same reports."""
    viewer = need_pages(request)
    services = services_of(request)
    paths = location_paths(services)
    async with services.db.read(replica=True) as tx:
        chosen = await read_filters(request, tx, viewer, services)
        assert chosen.filters is not None
        found: list[report_lists.ListedReport] = []
        total = 0
        if paths and not chosen.nothing:
            located = replace(chosen.filters, located=paths)
            total = await report_lists.count(tx, located)
            found = await report_lists.page(tx, located, MAX_POINTS)
        units = await unit_options(tx, viewer)
    shown = [r for r in found if not details_hidden(services, viewer, r.kind)]
    points = [
        {
            "id": r.id,
            "number": r.number,
            "kind": kind_title(services, r.kind),
            "unit": r.unit_name,
            "filed": dates.stored_stamp(r.created_at),
            "lat": lat,
            "lon": lon,
        }
        for r in shown
        for lat, lon in locations(services, r.kind, r.answers)
    ]
    web_config = services.config.web
    return html(
        request,
        "map.html",
        title="Bản đồ",
        chosen=chosen,
        kinds=kind_options(services),
        states=state_options(services),
        units=units,
        rows=listed_rows(services, shown),
        total=total,
        cut=total > MAX_POINTS,
        max_points=MAX_POINTS,
        withheld=len(found) - len(shown),
        points=_json(points),
        tile_url=web_config.tile_url,
        attribution=web_config.tile_attribution,
        action="/ban-do",
    )


def _json(points: list[dict[str, object]]) -> str:
    """The points for a <script type="application/json"> block: "<" escaped, so no text in
    them can close the block."""
    text = json.dumps(points, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
