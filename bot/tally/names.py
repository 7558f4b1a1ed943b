"""How a tally names its teams: 'Thôn 42 (Xã Bắc Sơn)' once it spans more than one commune.

A province has a "Thôn 42" in many communes, so a bare team name in a province's message,
workbook, CSV or chart would not say which team it is. The commune here is the unit the team
sits in (its parent in the tally's tree), whatever that unit's kind is called locally.
"""

from __future__ import annotations

from bot.tally.compute import Tally, UnitTally


def spans_communes(tally: Tally) -> bool:
    """Whether the tally's teams sit in more than one unit (a district's or province's)."""
    return len({team.parent_id for team in tally.teams}) > 1


def communes(tally: Tally) -> dict[int, UnitTally]:
    """Each team's commune (the unit directly above it) by the team's id."""
    by_id = {u.unit_id: u for u in tally.units}
    found: dict[int, UnitTally] = {}
    for team in tally.teams:
        parent = by_id.get(team.parent_id) if team.parent_id is not None else None
        if parent is not None:
            found[team.unit_id] = parent
    return found


def display_names(tally: Tally) -> dict[int, str]:
    """Every unit's name as the tally's outputs show it: teams qualified by their commune
    when the tally spans several, so two "Thôn 42" never read alike."""
    names = {u.unit_id: u.name for u in tally.units}
    if not spans_communes(tally):
        return names
    for team_id, commune in communes(tally).items():
        names[team_id] = f"{names[team_id]} ({commune.name})"
    return names
