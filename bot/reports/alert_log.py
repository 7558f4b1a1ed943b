"""Who an urgent report's alerts reached and when, as one line people read: "Đã báo:
Nguyễn Văn A 22:01, Trần B 22:16 (nhắc lần 1); chưa gửi: Lê C (22:31, cấp trên)".

Read from `alerts` (who, which step of the ladder) and the outbox (sent when, or due when);
shown on the member's own report and in the officers' case view.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core import dates
from bot.core.config_alerts import EscalationStep
from bot.core.i18n import Texts
from storage import reports
from storage.db import Row, Tx

__all__ = ["alert_log", "render_alert_log"]

# Outbox states, grouped as people ask about them: reached, still to go, no longer needed
# (someone acknowledged first), or could not be delivered.
_GROUPS = (
    ("ladder.log_sent", ("sent",)),
    ("ladder.log_waiting", ("pending", "sending")),
    ("ladder.log_stopped", ("cancelled",)),
    ("ladder.log_failed", ("given_up", "unreachable", "expired")),
)


async def alert_log(
    tx: Tx, texts: Texts, locale: str, report_id: int, ladder: Sequence[EscalationStep]
) -> str:
    """The line for one report, in `locale`; `ladder` is config.alerts.escalation, which
    names each later step ("nhắc lần 1", "cấp trên")."""
    return render_alert_log(await reports.alerts_of(tx, report_id), texts, locale, ladder)


def render_alert_log(
    rows: Sequence[Row], texts: Texts, locale: str, ladder: Sequence[EscalationStep]
) -> str:
    """The line from `reports.alerts_of` rows: kept apart from the query so it can be
    checked without a database."""
    if not rows:
        return texts.t(locale, "ladder.log_none")
    parts = []
    for key, statuses in _GROUPS:
        people = [_entry(row, texts, locale, ladder) for row in rows if row["status"] in statuses]
        if people:
            parts.append(texts.t(locale, key, people=", ".join(people)))
    line = "; ".join(parts)
    return line[:1].upper() + line[1:]


def _entry(row: Row, texts: Texts, locale: str, ladder: Sequence[EscalationStep]) -> str:
    name = str(row["full_name"])
    step = _step_name(int(row["step"]), texts, locale, ladder)
    if row["status"] == "sent" and row["sent_at"]:
        when = _clock(str(row["sent_at"]))
        return f"{name} {when}" + (f" ({step})" if step else "")
    when = _clock(str(row["not_before"]))
    return f"{name} ({when}, {step})" if step else f"{name} ({when})"


def _step_name(step: int, texts: Texts, locale: str, ladder: Sequence[EscalationStep]) -> str:
    """Nothing for the first alert; "nhắc lần n" for the commune's n-th reminder, "cấp
    trên" for the level above (a step no longer configured: its number)."""
    if step == 0:
        return ""
    if step > len(ladder):
        return texts.t(locale, "ladder.step_n", n=step)
    if ladder[step - 1].to == "above":
        return texts.t(locale, "ladder.step_above")
    again = sum(1 for rung in ladder[:step] if rung.to == "commune")
    return texts.t(locale, "ladder.step_again", n=again)


def _clock(stored: str) -> str:
    return dates.clock(datetime.fromisoformat(stored))
