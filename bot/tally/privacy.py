"""Who may read the answers of tips and reintegration visits in a tally's files.

A tip names what happened and where, a reintegration visit names the person visited: local
practice keeps those answers to the commune police and above (`[tally] details_roles`). The
rule is applied where the files' rows are built (bot/tally/files.py, bot/tally/urgent_list.py),
so every file made from them (raw sheet, urgent sheet, CSV, DOCX) obeys it alike: a withheld
report is still listed (number, date, kind, team), its answers replaced by one marker that
`Labels.details` writes as "(chi tiết chỉ dành cho Công an xã trở lên)".
"""

from __future__ import annotations

from bot.core.config import Config

# The one key of a withheld report's answers; no form field can be named so (keys are
# lower-case letters, digits and "_", starting with a letter).
WITHHELD = "_withheld"


def private_kinds(config: Config) -> frozenset[str]:
    """The report kinds whose answers are withheld: the configured tip and reintegration
    kinds, whatever a province's forms call them."""
    sources = config.tally.sources
    return frozenset({sources.tip_kind, sources.reintegration_kind})


def shows_details(config: Config, role: str | None) -> bool:
    """Whether a file made for `role` carries those answers; an unknown reader (None: a
    file whose reader nobody named) never does, so a forgotten argument leaks nothing."""
    return role is not None and role in config.tally.details_roles


def withheld(kind: str, data: dict[str, object], hidden: frozenset[str]) -> dict[str, object]:
    """The answers as the file may show them: the marker alone for a kind in `hidden`."""
    return {WITHHELD: True} if kind in hidden else data


def is_withheld(data: dict[str, object]) -> bool:
    """Whether these answers were withheld (the renderers write the marker's sentence)."""
    return WITHHELD in data
