"""What an alert says: the text an officer reads about an urgent report, in their language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core import dates
from bot.core.i18n import Texts
from bot.core.model import Choice, Outbound
from bot.reports.filling import summary_lines
from bot.reports.forms import Category
from bot.reports.kinds import Viewer
from storage.db import Tx
from storage.members import Member

ACK_PREFIX = "ack:"  # the acknowledge button's data: ack:<report id>


async def alert_message(
    tx: Tx,
    texts: Texts,
    locale: str,
    *,
    category: Category,
    report_id: int,
    number: str,
    reporter: Member,
    filed_at: datetime,
    answers: dict[str, Any],
    urgent: bool = True,
) -> Outbound:
    """The alert with its acknowledge button, wholly in the officer's language whatever
    language the reporter uses; a tip its reporter marked not urgent does not say "KHẨN"."""
    title_key = "alert.title" if urgent else "alert.title_normal"
    lines = [
        texts.t(locale, title_key, title=category.title(locale), number=number),
        texts.t(
            locale,
            "alert.from",
            name=reporter.full_name,
            unit=reporter.unit_name,
            time=dates.stamp(filed_at),
        ),
        "",
        *(await summary_lines(Viewer(texts, locale, tx), category, answers)),
    ]
    return Outbound(
        "\n".join(lines),
        [[Choice(texts.t(locale, "alert.ack_button"), ACK_PREFIX + str(report_id))]],
    )
