"""An officer's step posted from /khan, checked as chat checks a step button and its note.

Who may move a report (officers of an area that holds it), from which states, the note's
length and a fire's "in time" answer are chat's rules (handlers/case_steps.py, through
bot/reports/case_moves.py). Anything refused stores nothing and says why, with the typed note
given back so it is not lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.core import dates
from bot.core.clock import iso
from bot.core.i18n import Texts
from bot.core.ids import parse_id
from bot.core.roles import ALERT_ROLES
from bot.reports import case_moves
from bot.reports.acknowledging import take_up
from bot.reports.lifecycle import State
from bot.web.keys import services_of
from bot.web.session import Viewer
from storage import incidents, members, reports
from storage.db import Tx
from storage.reports import NamedReport
from storage.subtree import in_scope

IN_TIME = {"co": True, "khong": False}  # the radio buttons' values


@dataclass(frozen=True)
class Problem:
    """Why a step was not stored, for the report's line; the note to give back."""

    report_id: int
    text: str
    note: str = ""
    status: int = 400


@dataclass(frozen=True)
class Outcome:
    """A posted step: stored (and whether the reporter was told), or the problem."""

    report_id: int
    problem: Problem | None = None
    told: bool = False


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


async def move_posted(request: web.Request, viewer: Viewer) -> Outcome:
    """Check and store the step in the posted form; refusals store nothing."""
    me = viewer.member
    if me.role not in ALERT_ROLES:
        raise web.HTTPForbidden()  # supervisors and admins read; officers move reports on
    report_id = parse_id(request.match_info["report_id"])
    if report_id is None:
        raise web.HTTPNotFound()
    form = await request.post()
    target, seen = _text(form.get("buoc")), _text(form.get("tu"))
    typed = _text(form.get("ghi_chu"))
    services = services_of(request)
    now_iso = iso(services.clock.now())
    async with services.db.transaction() as tx:
        row = await reports.get(tx, report_id)
        if row is None or row.status != "active" or not row.urgent or row.state is None:
            raise web.HTTPNotFound()
        if not in_scope(me.unit_path, row.unit_path):
            raise web.HTTPForbidden()
        problem = await _check(tx, services.texts, row, target, seen, typed)
        in_time = IN_TIME.get(_text(form.get("kip_thoi")))
        if problem is None and case_moves.asks_in_time(row.kind, target) and in_time is None:
            problem = Problem(
                row.id,
                "Hãy chọn lực lượng có mặt kịp thời không (Có hoặc Không). Chưa lưu gì.",
                typed,
            )
        if problem is not None:
            return Outcome(row.id, problem)
        note = " ".join(typed.split()) or None
        moved = await case_moves.move(
            tx,
            services.texts,
            row,
            target,
            me.id,
            now_iso,
            note=note,
            in_time=in_time,
            served=services.served(),
        )
        if not moved.stored:
            return Outcome(row.id, await _too_late(tx, services.texts, row, typed))
    return Outcome(row.id, told=moved.told)


async def take_up_posted(request: web.Request, viewer: Viewer) -> Outcome:
    """ "✅ Đã tiếp nhận" pressed on the page: chat's rule (bot/reports/acknowledging.py), so
    the reporter is told and every alert still showing the button is edited, the officer's
    own in chat included."""
    me = viewer.member
    report_id = parse_id(request.match_info["report_id"])
    if report_id is None:
        raise web.HTTPNotFound()
    services = services_of(request)
    texts = services.texts
    async with services.db.transaction() as tx:
        taken = await take_up(
            tx,
            texts,
            services.forms,
            me,
            report_id,
            services.clock.now(),
            services.served(),
            pressed_alert=False,
        )
    if taken.status == "not_found":
        raise web.HTTPNotFound()
    if taken.status == "not_allowed":
        raise web.HTTPForbidden()
    assert taken.report is not None
    if taken.status == "already":
        text = texts.t(
            "vi",
            "ack.already",
            number=taken.report.number,
            name=taken.first_name,
            time=taken.first_at,
        )
        return Outcome(report_id, Problem(report_id, text, status=409))
    return Outcome(report_id, told=taken.told)


async def _check(
    tx: Tx, texts: Texts, row: NamedReport, target: str, seen: str, typed: str
) -> Problem | None:
    """Chat's checks of a step, in chat's order: a step the report's kind has, taken up
    first, still where the officer saw it, a short enough note."""
    if not case_moves.sources(row.kind, target):
        return Problem(
            row.id, f"Bước này không có cho báo cáo {row.number}. Chưa lưu gì.", typed, 400
        )
    if row.state == State.RECEIVED:
        return Problem(
            row.id,
            f"Báo cáo {row.number} chưa được tiếp nhận. Hãy bấm “✅ Đã tiếp nhận” (ở đây hoặc"
            " trong tin cảnh báo ở chat) trước, rồi mới chuyển bước tiếp. Chưa lưu gì.",
            typed,
            409,
        )
    if seen != row.state or row.state not in case_moves.sources(row.kind, target):
        return await _too_late(tx, texts, row, typed)
    note = " ".join(typed.split())
    if len(note) > case_moves.MAX_NOTE:
        return Problem(
            row.id,
            f"⚠️ Ghi chú dài {len(note)} ký tự, tối đa {case_moves.MAX_NOTE}. Chưa lưu gì."
            " Hãy viết lại ngắn gọn hơn; bản bạn vừa gõ còn ở ô ghi chú.",
            typed,
            400,
        )
    return None


async def _too_late(tx: Tx, texts: Texts, row: NamedReport, typed: str) -> Problem:
    """Someone moved the report first: who did what and when, as chat says it."""
    fresh = await reports.get(tx, row.id)
    events = await incidents.events_of(tx, row.id)
    last = events[-1] if events else None
    who = await members.get(tx, last.member_id) if last and last.member_id else None
    state = fresh.state if fresh is not None and fresh.state else str(row.state)
    t = texts.t
    text = t(
        "vi",
        "case.too_late",
        number=row.number,
        name=who.full_name if who else "?",
        state=t("vi", f"case.state_{state}"),
        time=dates.stored_stamp(last.at) if last else "?",
    )
    return Problem(row.id, text, typed, 409)
