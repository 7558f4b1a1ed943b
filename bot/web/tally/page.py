"""/thong-ke: the tally of a unit in the viewer's scope for a period, with drill-down, and
/thong-ke/bieu-do: its chart, the same PNG the chat sends.

Figures come from the chat's own computation (bot/tally/prepared.py, through the page cache
bot/web/tally/cache.py), so the page, /thongke and the workbook agree to the report.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from bot.core import dates
from bot.core.engine import Services
from bot.tally import periods
from bot.tally.files import png_bytes, urgent_kinds
from bot.tally.labels import percent
from bot.tally.members import member_lines
from bot.tally.periods import Period
from bot.tally.text import TallyWriter
from bot.web.auth import when
from bot.web.keys import services_of
from bot.web.render import html
from bot.web.session import need_pages
from bot.web.tally import rows
from bot.web.tally.cache import Computed, TallyCache
from bot.web.tally.query import BadPeriod, crumbs, period_of, unit_of
from storage.members import Member
from storage.units import Unit

routes = web.RouteTableDef()

TALLIES = web.AppKey("tallies", TallyCache)  # the page cache, one per application
PATH = "/thong-ke"
CHART_PATH = "/thong-ke/bieu-do"


async def _unit(services: Services, member: Member, raw: str | None) -> tuple[Unit, list[Unit]]:
    """The unit asked for, checked against the viewer's scope, and the line up to theirs."""
    async with services.db.read(replica=True) as tx:
        unit = await unit_of(tx, member, raw)
        return unit, await crumbs(tx, member, unit)


def quick_periods(services: Services, today: date, shown: Period | None) -> list[dict[str, Any]]:
    """The chat's period buttons as links: today, this week, this month, last month, phases."""
    starts_on = services.config.tally.month_starts_on
    named = [
        ("Hôm nay", periods.day(today)),
        ("Tuần này", periods.week(today)),
        ("Tháng này", periods.month(today, starts_on)),
        ("Tháng trước", periods.month(today, starts_on, -1)),
    ]
    named += [(p.name, periods.phase(i, p)) for i, p in enumerate(services.config.tally.phases, 1)]
    return [
        {"label": label, "code": p.code, "active": shown is not None and p.code == shown.code}
        for label, p in named
    ]


def _form(query: Any, period: Period | None) -> dict[str, str]:
    """What the period form shows: what was typed, else the period shown."""
    if period is None:
        return {k: query.get(k, "") for k in ("thang", "tu", "den")}
    month = period.code[1:] if period.kind == "month" and not period.cut_short else ""
    return {"thang": month, "tu": period.start.isoformat(), "den": period.end.isoformat()}


@routes.get(PATH)
async def tally_page(request: web.Request) -> web.StreamResponse:
    """The tally page; a period that cannot be read shows what to type and computes nothing."""
    viewer = need_pages(request)
    services = services_of(request)
    today = services.clock.now().date()
    unit, line = await _unit(services, viewer.member, request.query.get("don-vi"))
    base: dict[str, Any] = {"unit": unit, "crumbs": line}
    try:
        period = period_of(request.query, today, services.config)
    except BadPeriod as err:
        return html(
            request,
            "tally.html",
            title=f"Thống kê {unit.name}",
            status=400,
            error=err.text,
            form=_form(request.query, None),
            quick=quick_periods(services, today, None),
            **base,
        )
    computed = await request.app[TALLIES].tally(services, unit, period, levels=True)
    values = await _values(services, computed)
    return html(
        request,
        "tally.html",
        title=f"Thống kê {computed.tally.root.name}",
        error="",
        form=_form(request.query, period),
        quick=quick_periods(services, today, period),
        **base,
        **values,
    )


async def _values(services: Services, computed: Computed) -> dict[str, Any]:
    """Everything the template shows of a computed tally."""
    tally, labels, config = computed.tally, computed.labels, services.config
    root = tally.root
    deadline = dates.clock(config.reports.deadline)
    until = " ".join(TallyWriter(labels).until_lines(tally, deadline))
    members: list[rows.MemberRow] = []
    if root.is_team:
        async with services.db.read(replica=True) as tx:
            lines = await member_lines(tx, tally, config, urgent_kinds(labels.forms))
        members = rows.member_rows(lines, labels)
    met, applicable = root.met_count
    return {
        "tally": tally,
        "root": root,
        "figures": root.figures,
        "period": tally.period,
        "period_label": tally.period.label(labels.locale),
        "until": until,
        "computed_at": when(computed.computed_at, services.clock.tz),
        "compliance": percent(root.figures.compliance),
        "kinds": rows.kind_counts(tally, labels),
        "targets": rows.target_rows(tally, labels),
        "met": met,
        "applicable": applicable,
        "rating": labels.rating(root.rating) if root.rating else "",
        "movement_class": rows.class_of(root, labels),
        "areas": rows.area_classes(tally, labels),
        "children": rows.unit_rows(tally, labels),
        "members": members,
        "note": labels.t("tally.suggestion_note"),
        "source": labels.t("tally.targets_source"),
        "csv_other": "excel-vi" if config.tally.csv_style == "standard" else "standard",
    }


@routes.get(CHART_PATH)
async def chart(request: web.Request) -> web.StreamResponse:
    """The chart of the page's tally, drawn once per computation (the same PNG as chat)."""
    viewer = need_pages(request)
    services = services_of(request)
    unit, _ = await _unit(services, viewer.member, request.query.get("don-vi"))
    try:
        period = period_of(request.query, services.clock.now().date(), services.config)
    except BadPeriod as err:
        raise web.HTTPNotFound() from err
    computed = await request.app[TALLIES].tally(services, unit, period, levels=True)
    if computed.chart is None:
        computed.chart = await png_bytes(computed.tally, computed.labels)
    return web.Response(
        body=computed.chart,
        content_type="image/png",
        headers={"Cache-Control": "private, no-store"},
    )
