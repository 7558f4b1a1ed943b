"""Unit kinds as org files write them: Vietnamese level words or English, stored in English.

A province's file says "Xã", "Thôn" or "Tổ dân phố" (with or without diacritics, any case);
the bot stores one English kind per level, so code that looks for the commune above a team
(the alert ladder) or names a sheet of the tally ("Xã") reads the same word whichever
language the file used. Any other English kind in lower-case letters and '_' ("team") is
kept as written, as before.
"""

from __future__ import annotations

import re

from bot.core.parsing import fold

# Folded Vietnamese level word -> the English kind stored.
VIETNAMESE: dict[str, str] = {
    "tinh": "province",
    "thanh pho": "city",
    "huyen": "district",
    "quan": "urban_district",
    "thi xa": "district_town",
    "xa": "commune",
    "phuong": "ward",
    "thi tran": "town",
    "thon": "village",
    "lang": "village",
    "xom": "village",
    "ban": "village",
    "buon": "village",
    "soc": "village",
    "ap": "hamlet",
    "to dan pho": "group",
    "khu pho": "quarter",
}
# English spellings that mean a kind stored under another word.
ALIASES: dict[str, str] = {"township": "town", "residential_group": "group"}
# Kinds that name a team (the level people report in): a unit with units below it turning
# into one of these is a harmful change (see bot.units.orgimport.harm).
TEAM_KINDS = frozenset({"village", "hamlet", "group", "quarter", "team"})

SHOWN_VIETNAMESE = (
    "tỉnh, thành phố, huyện, quận, thị xã, xã, phường, thị trấn, thôn, làng, xóm, bản, buôn,"
    " sóc, ấp, tổ dân phố, khu phố"
)
SHOWN_ENGLISH = (
    "province, city, district, urban_district, district_town, commune, ward, town, village,"
    " hamlet, group, quarter, team"
)
_ENGLISH_RE = re.compile(r"[a-z_]+")


def canonical(raw: str) -> str | None:
    """The kind stored for what a file wrote, or None when it names no kind we know."""
    folded = fold(raw)
    if folded in VIETNAMESE:
        return VIETNAMESE[folded]
    english = raw.strip().lower()
    if not _ENGLISH_RE.fullmatch(english):
        return None
    return ALIASES.get(english, english)


def is_team_kind(kind: str) -> bool:
    """Whether a kind names the level people report in (thôn, ấp, tổ dân phố, ...)."""
    return kind in TEAM_KINDS
