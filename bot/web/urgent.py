"""/khan: the open urgent reports (tips, fires) of the viewer's area, oldest first, by state
and age, as /tinbao lists them; officers move a report on from here as they do in chat.

A step is posted with the state the officer saw (`tu`): when the report has moved since
(another officer, a chat button), nothing is stored and the page says who did what. The step
itself goes through bot/reports/case_moves.py, the one chat uses: the same states it may come
from, the same history line, the same notice to the reporter (outbox, then a wake-up).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web

from bot.core import dates
from bot.core.engine import Services
from bot.core.roles import ALERT_ROLES
from bot.reports import case_moves
from bot.reports.lifecycle import FIRE_KIND, OPEN_STATES, State, next_steps
from bot.web.keys import services_of
from bot.web.render import html
from bot.web.report_filters import details_hidden, kind_title, state_label
from bot.web.session import Viewer, need_pages
from bot.web.urgent_post import Problem, move_posted, take_up_posted
from storage import caselists
from storage.caselists import CaseLine
from storage.subtree import in_scope

routes = web.RouteTableDef()

SHOWN = (State.RECEIVED, State.ACKNOWLEDGED, State.VERIFYING)
assert set(SHOWN) == OPEN_STATES
ALL = "tat-ca"


@dataclass(frozen=True)
class Line:
    """One open report as the page shows it, with the form to move it on."""

    id: int
    number: str
    kind: str
    unit: str
    place: str
    filed: str
    age: str
    state: str
    state_label: str
    overdue: bool
    steps: list[tuple[str, str]]  # (state, button label) an officer may move it to
    asks_in_time: bool
    problem: Problem | None


def age_text(since: timedelta) -> str:
    """How long a report has waited, to the minute: "25 phút", "3 giờ 20 phút", "2 ngày 4 giờ"."""
    minutes = max(0, int(since.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} ngày {hours} giờ" if hours else f"{days} ngày"
    if hours:
        return f"{hours} giờ {mins} phút" if mins else f"{hours} giờ"
    return f"{mins} phút"


def is_overdue(services: Services, state: str, state_at: str | None, now: datetime) -> bool:
    """Past the configured days for its state (`[alerts.overdue]`), as the morning list
    counts them: from when it reached that state."""
    if state_at is None or state not in OPEN_STATES:
        return False
    days = float(getattr(services.config.alerts.overdue, state))
    return datetime.fromisoformat(state_at) <= now - timedelta(days=days)


def _place(services: Services, viewer: Viewer, row: CaseLine) -> str:
    """The place as /tinbao writes it: a typed address, or a mark for a pin."""
    if details_hidden(services, viewer, row.kind):
        return ""
    place = row.place
    if isinstance(place, dict) and "lat" in place:
        return "📍 vị trí"
    text = place.get("text") if isinstance(place, dict) else place
    return " ".join(text.split()) if isinstance(text, str) else ""


def _line(
    services: Services, viewer: Viewer, row: CaseLine, now: datetime, problem: Problem | None
) -> Line:
    texts = services.texts
    officer = viewer.member.role in ALERT_ROLES
    steps = [
        (s.value, texts.t("vi", f"case.step_{s.value}")) for s in next_steps(row.kind, row.state)
    ]
    return Line(
        id=row.id,
        number=row.number,
        kind=kind_title(services, row.kind),
        unit=row.unit_name,
        place=_place(services, viewer, row),
        filed=dates.stored_stamp(row.created_at),
        age=age_text(now - datetime.fromisoformat(row.created_at)),
        state=row.state,
        state_label=state_label(services, row.state),
        overdue=is_overdue(services, row.state, row.state_at, now),
        steps=steps if officer else [],
        asks_in_time=row.kind == FIRE_KIND,
        problem=problem if problem is not None and problem.report_id == row.id else None,
    )


async def page(
    request: web.Request,
    viewer: Viewer,
    *,
    problem: Problem | None = None,
    notice: str = "",
    status: int = 200,
) -> web.Response:
    """The list for the state in the address (`trang-thai`), a page at a time (`trang`)."""
    services = services_of(request)
    wanted = request.query.get("trang-thai", ALL)
    if wanted not in SHOWN:
        wanted = ALL
    number = request.query.get("trang", "1")
    page_no = int(number) if number.isascii() and number.isdigit() and number != "0" else 1
    size = services.config.web.page_size
    area = viewer.member.unit_path
    now = services.clock.now()
    async with services.db.read() as tx:
        counts = await caselists.open_counts(tx, area, SHOWN)
        states = SHOWN if wanted == ALL else (wanted,)
        total = sum(counts.values()) if wanted == ALL else counts.get(wanted, 0)
        pages = max(1, -(-total // size))
        page_no = min(page_no, pages)
        rows = await caselists.open_in(tx, area, states, size, (page_no - 1) * size)
    filters = [(ALL, "Tất cả", sum(counts.values()))] + [
        (s.value, state_label(services, s.value), counts.get(s.value, 0)) for s in SHOWN
    ]
    return html(
        request,
        "urgent.html",
        title="Tin báo khẩn",
        status=status,
        lines=[_line(services, viewer, row, now, problem) for row in rows],
        filters=filters,
        wanted=wanted,
        total=total,
        page_no=page_no,
        pages=pages,
        officer=viewer.member.role in ALERT_ROLES,
        notice=notice,
        problem=problem,
        max_note=case_moves.MAX_NOTE,
    )


@routes.get("/khan")
async def urgent(request: web.Request) -> web.StreamResponse:
    """The open urgent reports; after a step, the line that says it was stored."""
    viewer = need_pages(request)
    return await page(request, viewer, notice=await _saved_notice(request, viewer))


async def _saved_notice(request: web.Request, viewer: Viewer) -> str:
    """The line saying a step was stored, read back from the report after the redirect."""
    done = request.query.get("da-luu", "")
    if not done.isdigit():
        return ""
    services = services_of(request)
    async with services.db.read() as tx:
        row = await caselists.line(tx, int(done))
    if row is None or not in_scope(viewer.member.unit_path, row.unit_path):
        return ""
    state = state_label(services, row.state)
    told = (
        "Người báo đã được thông báo."
        if request.query.get("bao") == "1"
        else "⚠️ Không liên lạc được với người báo qua tin nhắn; hãy gọi điện cho họ."
    )
    return f"✅ Đã ghi: {row.number} → {state}. {told}"


@routes.post("/khan/{report_id}")
async def move(request: web.Request) -> web.StreamResponse:
    """An officer's step (the middleware has checked the origin and the CSRF token)."""
    viewer = need_pages(request)
    outcome = await move_posted(request, viewer)
    if outcome.problem is not None:
        return await page(request, viewer, problem=outcome.problem, status=outcome.problem.status)
    services = services_of(request)
    if outcome.told:
        services.outbox_wakeup()
    back = f"/khan?da-luu={outcome.report_id}&bao={1 if outcome.told else 0}"
    raise web.HTTPSeeOther(back)


@routes.post("/khan/{report_id}/tiep-nhan")
async def acknowledge(request: web.Request) -> web.StreamResponse:
    """ "✅ Đã tiếp nhận" on the page, as the alert's button in chat does it."""
    viewer = need_pages(request)
    outcome = await take_up_posted(request, viewer)
    if outcome.problem is not None:
        return await page(request, viewer, problem=outcome.problem, status=outcome.problem.status)
    services_of(request).outbox_wakeup()  # the reporter's notice, the alerts' edits
    raise web.HTTPSeeOther(f"/khan?da-luu={outcome.report_id}&bao={1 if outcome.told else 0}")
