"""Quiet hours: the night in which only urgent messages (tips, fires) are sent."""

from __future__ import annotations

from datetime import datetime, time, timedelta


def in_quiet_hours(moment: datetime, start: time, end: time) -> bool:
    """Whether a local moment falls in [start, end), which may wrap past midnight."""
    if start == end:
        return False
    local = moment.time().replace(tzinfo=None)
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_ends(moment: datetime, start: time, end: time) -> datetime:
    """When the quiet hours around `moment` end (`moment` itself when it is not quiet)."""
    if not in_quiet_hours(moment, start, end):
        return moment
    candidate = moment.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= moment:
        candidate += timedelta(days=1)
    return candidate
