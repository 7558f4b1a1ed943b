"""What a tally page's address asks for: the unit (by id) and the period, checked.

The period comes from the month picker (`thang=2026-10`), from two dates (`tu`, `den`: typed
dd/mm/yyyy or picked on a calendar, which sends yyyy-mm-dd), or from a period code the page's
own links carry (`ky=m2026-10`, the codes of the chat's buttons); nothing means this month.
A date that cannot be read is a `BadPeriod` whose message says what to type; the page then
shows it and computes nothing. The unit must lie in the viewer's own subtree, as in chat.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from aiohttp import web

from bot.core.config import Config
from bot.core.ids import parse_id
from bot.core.roles import in_scope
from bot.tally import periods
from bot.tally.periods import MAX_RANGE_DAYS, Period, PeriodError
from storage import units
from storage.db import Tx
from storage.members import Member
from storage.units import Unit

EXAMPLE = "01/10/2026"
_TYPED = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_PICKED = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_TYPED_MONTH = re.compile(r"^(\d{1,2})[/.-](\d{4})$")  # 10/2026, as people write a month


class BadPeriod(ValueError):
    """A period the page cannot read; `text` says what to type instead."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def read_date(typed: str, label: str) -> date:
    """A day typed dd/mm/yyyy or picked on a calendar (yyyy-mm-dd)."""
    text = typed.strip()
    typed_match, picked = _TYPED.match(text), _PICKED.match(text)
    try:
        if typed_match:
            d, m, y = (int(g) for g in typed_match.groups())
            return date(y, m, d)
        if picked:
            y, m, d = (int(g) for g in picked.groups())
            return date(y, m, d)
    except ValueError:
        pass
    raise BadPeriod(
        f"Chưa đọc được {label} “{text[:40]}”. Gõ ngày theo dạng ngày/tháng/năm, ví dụ "
        f"{EXAMPLE}, hoặc chọn ngày trên lịch."
    )


def _range(first: str, last: str) -> Period:
    if not first or not last:
        raise BadPeriod(
            "Cần cả “Từ ngày” và “Đến ngày”, ví dụ từ 01/10/2026 đến 31/10/2026; hoặc chọn"
            " một tháng."
        )
    start, end = read_date(first, "ngày bắt đầu"), read_date(last, "ngày kết thúc")
    try:
        return periods.span(start, end)
    except PeriodError as err:
        if err.key == "tally.range_reversed":
            raise BadPeriod(
                "“Từ ngày” đang sau “Đến ngày”. Đổi lại cho ngày bắt đầu đứng trước."
            ) from err
        raise BadPeriod(
            f"Khoảng ngày dài quá {MAX_RANGE_DAYS} ngày. Chọn khoảng ngắn hơn, ví dụ một"
            " tháng hay một đợt."
        ) from err


def _month(typed: str, starts_on: int) -> Period:
    picked, written = _MONTH.match(typed.strip()), _TYPED_MONTH.match(typed.strip())
    year, month = (
        (int(picked.group(1)), int(picked.group(2)))
        if picked
        else (int(written.group(2)), int(written.group(1)))
        if written
        else (0, 0)
    )
    if 1 <= month <= 12 and 2000 <= year <= 2100:
        return periods.month_named(year, month, starts_on)
    raise BadPeriod(
        f"Chưa đọc được tháng “{typed.strip()[:40]}”. Chọn tháng trên lịch hoặc gõ theo dạng"
        " 10/2026 (tháng/năm)."
    )


def period_of(query: Mapping[str, str], today: date, config: Config) -> Period:
    """The period a page address asks for (module docstring); this month when none."""
    starts_on = config.tally.month_starts_on
    first, last = query.get("tu", "").strip(), query.get("den", "").strip()
    if first or last:
        return _range(first, last)
    month = query.get("thang", "").strip()
    if month:
        return _month(month, starts_on)
    code = query.get("ky", "").strip()
    if code:
        try:
            return periods.decode(code, config.tally.phases, starts_on)
        except PeriodError as err:
            raise BadPeriod(
                "Kỳ thống kê trong địa chỉ không đúng. Chọn lại tháng hoặc khoảng ngày ở trên."
            ) from err
    return periods.month(today, starts_on)


async def unit_of(tx: Tx, member: Member, raw: str | None) -> Unit:
    """The unit asked for (the member's own when none): 404 for an id that names no unit,
    403 for a unit outside the member's subtree, the same rule as /thongke."""
    if raw is None or raw == "":
        unit = await units.get(tx, member.unit_id)
    else:
        unit_id = parse_id(raw)
        unit = await units.get(tx, unit_id) if unit_id is not None else None
    if unit is None:
        raise web.HTTPNotFound()
    if not in_scope(member.unit_path, unit.path):
        raise web.HTTPForbidden()
    return unit


async def crumbs(tx: Tx, member: Member, unit: Unit) -> list[Unit]:
    """The units from the member's own down to `unit` (each a link back up), top first."""
    line = [unit]
    while line[0].parent_id is not None and line[0].path != member.unit_path:
        above = await units.get(tx, line[0].parent_id)
        if above is None or not in_scope(member.unit_path, above.path):
            break
        line.insert(0, above)
    return line
