"""What an alert says: the text an officer reads about an urgent report, in their language:
who reported it and how to call them back, the answers, a map link and the photos."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core import dates
from bot.core.config import Config
from bot.core.i18n import Texts
from bot.core.model import Choice, Outbound
from bot.reports.alert_media import photo_lines
from bot.reports.filling import applicable, summary_lines
from bot.reports.forms import Category
from bot.reports.kinds import Viewer
from storage import members
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
    channel: str = "",
    map_url: str = "",
    media_sent: bool = False,
    config: Config | None = None,
) -> Outbound:
    """The alert with its acknowledge button, wholly in the officer's language whatever
    language the reporter uses; a tip its reporter marked not urgent does not say "KHẨN".

    `channel` is the officer's messenger (it decides whether the photos follow as photos or
    the alert says where to see them; `media_sent`: they came with an earlier alert);
    `map_url` turns each location pin into a link; `config` says whether file links are on.
    """
    title_key = "alert.title" if urgent else "alert.title_normal"
    lines = [
        texts.t(locale, title_key, title=category.title(locale), number=number),
        await reporter_line(tx, texts, locale, reporter, filed_at),
        "",
        *(await summary_lines(Viewer(texts, locale, tx), category, answers)),
        *map_lines(texts, locale, category, answers, map_url),
        *photo_lines(
            texts, locale, channel, category, answers, already_sent=media_sent, config=config
        ),
    ]
    return Outbound(
        "\n".join(lines),
        [[Choice(texts.t(locale, "alert.ack_button"), ACK_PREFIX + str(report_id))]],
    )


async def reporter_line(
    tx: Tx, texts: Texts, locale: str, reporter: Member, filed_at: datetime
) -> str:
    """Who reported, from which team, and their phone when known: the officer calls back."""
    phone = await members.phone_of(tx, reporter.id)
    common = {"name": reporter.full_name, "unit": reporter.unit_name, "time": dates.stamp(filed_at)}
    if phone is None:
        return texts.t(locale, "alert.from", **common)
    return texts.t(locale, "alertx.from_phone", phone=format_phone(phone), **common)


def format_phone(raw: str) -> str:
    """A Vietnamese mobile number grouped as people read it aloud (0912 345 678); any
    other number as it was stored."""
    digits = "".join(c for c in raw if c.isdigit())
    plain = all(c.isdigit() or c in " .-" for c in raw.strip())
    if plain and len(digits) == 10 and digits.startswith("0"):
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    return raw.strip()


def map_lines(
    texts: Texts, locale: str, category: Category, answers: dict[str, Any], map_url: str
) -> list[str]:
    """A map link under the answers for each location pin (a typed address stays text)."""
    if not map_url:
        return []
    lines = []
    for f in applicable(category, answers):
        value = answers.get(f.key)
        if f.type != "location" or not isinstance(value, dict) or "lat" not in value:
            continue
        url = map_url.format(lat=f"{float(value['lat']):.6f}", lon=f"{float(value['lon']):.6f}")
        lines.append(texts.t(locale, "alertx.map", label=f.label.get(locale), url=url))
    return lines
