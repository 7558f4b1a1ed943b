"""Moving an urgent report on after "Đã tiếp nhận", one rule for chat and the web pages.

The step is stored only from the states it may come from (`incidents.move(expect=...)`), so
of two officers acting at once the slower one changes nothing; a fire's "done" keeps the
officer's word on whether the force arrived in time; the reporter is told in their own
language through the outbox, quiet hours or not (it answers their emergency).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

from bot.core.i18n import Texts
from bot.core.model import Outbound
from bot.outbox.notify import notify_member
from bot.reports.lifecycle import FIRE_KIND, State, next_steps
from storage import incidents, members
from storage.db import Tx
from storage.reports import Report

log = logging.getLogger(__name__)

MAX_NOTE = 300  # characters: a short note, read on a phone


@dataclass(frozen=True)
class Moved:
    """What a step did: stored or not (someone moved the report first), and whether the
    reporter could be told."""

    stored: bool
    told: bool = False


def sources(kind: str, target: str) -> tuple[str, ...]:
    """The states a step may come from: a tip is resolved from 'acknowledged' or
    'verifying', but never twice, nor after another officer closed it."""
    froms = (State.ACKNOWLEDGED, State.VERIFYING)
    return tuple(s.value for s in froms if target in next_steps(kind, s))


def asks_in_time(kind: str, target: str) -> bool:
    """Whether this step needs the officer's word on arriving in time (a fire's "done")."""
    return kind == FIRE_KIND and target == State.DONE


async def move(
    tx: Tx,
    texts: Texts,
    report: Report,
    target: str,
    officer_id: int,
    now_iso: str,
    *,
    note: str | None,
    in_time: bool | None,
    served: Collection[str] | None,
) -> Moved:
    """Store the step if the report still stands where the step may come from, keep it in
    the report's history and tell the reporter; nothing at all when it does not."""
    fire_done = asks_in_time(report.kind, target)
    detail = {"in_time": bool(in_time)} if fire_done else None
    stored = await incidents.move(
        tx,
        report.id,
        target,
        officer_id,
        now_iso,
        expect=sources(report.kind, target),
        note=note,
        detail=detail,
    )
    if not stored:
        return Moved(False)
    if fire_done:
        await incidents.confirm_fire(tx, report.id, officer_id, bool(in_time), now_iso)
    log.info("case moved", extra={"report_id": report.id, "state": target, "by": officer_id})
    told = await tell_reporter(tx, texts, report, target, note, now_iso, served)
    return Moved(True, told)


async def tell_reporter(
    tx: Tx,
    texts: Texts,
    report: Report,
    target: str,
    note: str | None,
    now_iso: str,
    served: Collection[str] | None,
) -> bool:
    """The reporter hears of every step in their own language; False when no messenger
    this process serves reaches them (the officer is asked to call instead)."""
    reporter = await members.get(tx, report.member_id)
    if reporter is None:
        return False
    locale = reporter.locale
    noted = texts.t(locale, "case.notice_note", note=note) if note else ""
    key = "case.notice_fire" if report.kind == FIRE_KIND else "case.notice_tip"
    text = texts.t(
        locale, key, number=report.number, verb=texts.t(locale, f"case.verb_{target}"), note=noted
    )
    key = f"case-notice:{report.id}:{target}"
    return await notify_member(
        tx, report.member_id, key, Outbound(text), now_iso, served, urgent=True
    )
