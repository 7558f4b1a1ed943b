"""What the report list and the map share: the filters read from the address, the choices
the filter form offers, and how a report's kind, state and age read on a page.

Filters come from GET parameters (a filtered page is a link one can keep): `loai` (kind),
`don-vi` (a unit id in the viewer's area), `tu` / `den` (dd/mm/yyyy or yyyy-mm-dd) and
`trang-thai`. A value that cannot be read is named in an error on the page, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from aiohttp import web

from bot.core.engine import Services
from bot.reports.credit import NIL_KIND
from bot.reports.lifecycle import State
from bot.tally.privacy import private_kinds, shows_details
from bot.web.session import Viewer
from storage import units
from storage.db import Tx
from storage.report_lists import WITHDRAWN, Filters
from storage.subtree import in_scope

MAX_UNIT_OPTIONS = 300  # above this many units in the area, the unit is typed by its id
NIL_TITLE = "✅ Không có vụ việc"
WITHDRAWN_LABEL = "Đã rút"


@dataclass
class Chosen:
    """The filters as the form shows them back, what they select, and what was wrong."""

    kind: str = ""
    unit: str = ""
    first: str = ""
    last: str = ""
    state: str = ""
    filters: Filters | None = None
    errors: list[str] = field(default_factory=list)
    nothing: bool = False  # a filter names something out of reach: the list is empty

    def query(self) -> dict[str, str]:
        """The filters as GET parameters, for the pager's links."""
        pairs = {
            "loai": self.kind,
            "don-vi": self.unit,
            "tu": self.first,
            "den": self.last,
            "trang-thai": self.state,
        }
        return {k: v for k, v in pairs.items() if v}


def state_label(services: Services, state: str | None, status: str = "active") -> str:
    """A report's state as chat names it ("Đã giải quyết"); "" for a routine report."""
    if status == WITHDRAWN:
        return WITHDRAWN_LABEL
    if state is None:
        return ""
    return services.texts.t("vi", f"case.state_{state}")


def kind_title(services: Services, kind: str) -> str:
    """A kind's title with its icon, as on the chat's buttons."""
    return services.forms.title(kind, "vi", NIL_TITLE if kind == NIL_KIND else None)


def kind_options(services: Services) -> list[tuple[str, str]]:
    """Every kind a report may have: the forms' and the one-tap "nothing to report"."""
    options = [(c.key, c.title("vi")) for c in services.forms.categories]
    if not services.forms.has(NIL_KIND):
        options.append((NIL_KIND, NIL_TITLE))
    return options


def state_options(services: Services) -> list[tuple[str, str]]:
    """Every state of an urgent report's life, then "withdrawn"."""
    return [(s.value, state_label(services, s.value)) for s in State] + [
        (WITHDRAWN, WITHDRAWN_LABEL)
    ]


async def unit_options(tx: Tx, viewer: Viewer) -> list[tuple[str, str]] | None:
    """The units of the viewer's area for the select (indented by depth); None when there
    are too many for a select, and the unit is typed by its id instead."""
    found = await units.named_under(tx, viewer.member.unit_path)
    if len(found) > MAX_UNIT_OPTIONS:
        return None
    top = viewer.member.unit_path.count("/")
    return [(str(u.id), "\u2003" * (u.path.count("/") - top) + u.name) for u in found]


def _day(text: str) -> date | None:
    """A typed day: 30/11/2026 or 2026-11-30 (a browser's date input)."""
    for shape in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, shape).date()
        except ValueError:
            continue
    return None


async def read_filters(request: web.Request, tx: Tx, viewer: Viewer, services: Services) -> Chosen:
    """The filters in the address, checked against the viewer's area."""
    q = request.query
    chosen = Chosen(
        kind=q.get("loai", "").strip(),
        unit=q.get("don-vi", "").strip(),
        first=q.get("tu", "").strip(),
        last=q.get("den", "").strip(),
        state=q.get("trang-thai", "").strip(),
    )
    kinds = dict(kind_options(services))
    if chosen.kind and chosen.kind not in kinds:
        chosen.errors.append("Không có loại báo cáo này. Chọn lại trong danh sách.")
        chosen.kind = ""
    if chosen.state and chosen.state not in dict(state_options(services)):
        chosen.errors.append("Không có trạng thái này. Chọn lại trong danh sách.")
        chosen.state = ""
    days: list[str | None] = []
    for text, name in ((chosen.first, "Từ ngày"), (chosen.last, "Đến ngày")):
        day = _day(text) if text else None
        if text and day is None:
            chosen.errors.append(f"“{name}” không đọc được. Gõ theo dạng 30/11/2026.")
        days.append(day.isoformat() if day else None)
    unit_path = await _unit_path(tx, viewer, chosen)
    chosen.filters = Filters(
        area=viewer.member.unit_path,
        unit=unit_path,
        kind=chosen.kind or None,
        first_day=days[0],
        last_day=days[1],
        state=chosen.state or None,
    )
    return chosen


async def _unit_path(tx: Tx, viewer: Viewer, chosen: Chosen) -> str | None:
    """The path of the chosen unit, if it is in the viewer's area; else says why."""
    if not chosen.unit:
        return None
    unit = await units.get(tx, int(chosen.unit)) if chosen.unit.isdigit() else None
    if unit is None or not in_scope(viewer.member.unit_path, unit.path):
        chosen.errors.append(
            "Đơn vị này không có hoặc không thuộc phạm vi của bạn. Chọn đơn vị trong danh sách."
        )
        chosen.nothing = True
        return None
    return unit.path


def details_hidden(services: Services, viewer: Viewer, kind: str) -> bool:
    """Whether a report's answers are withheld from this viewer (bot/tally/privacy.py)."""
    config = services.config
    return kind in private_kinds(config) and not shows_details(config, viewer.member.role)


def locations(services: Services, kind: str, answers: dict[str, Any]) -> list[tuple[float, float]]:
    """The location pins among a report's answers (a typed address has none)."""
    category = services.forms.find(kind)
    if category is None:
        return []
    found = []
    for f in category.fields:
        value = answers.get(f.key)
        if f.type == "location" and isinstance(value, dict) and "lat" in value:
            try:
                found.append((float(value["lat"]), float(value["lon"])))
            except (TypeError, ValueError, KeyError):
                continue
    return found


def location_paths(services: Services) -> tuple[str, ...]:
    """The JSON paths of every location field's latitude, for the map's query."""
    keys = sorted(
        {f.key for c in services.forms.categories for f in c.fields if f.type == "location"}
    )
    return tuple(f"$.{key}.lat" for key in keys)
