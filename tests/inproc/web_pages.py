"""Reading the web pages in tests: tables as rows of cell texts, links by their text."""

from __future__ import annotations

import html
import re

_TAGS = re.compile(r"<[^>]+>")


def text_of(fragment: str) -> str:
    """What a reader sees of an HTML fragment: no tags, entities read, spaces squeezed."""
    return " ".join(html.unescape(_TAGS.sub(" ", fragment)).split())


def table(page: str, css_class: str) -> list[list[str]]:
    """The body rows of the table with this class, each a list of its cells' texts."""
    found = re.search(rf'<table class="{css_class}">(.*?)</table>', page, re.S)
    assert found, f"no table {css_class!r}"
    body = found.group(1).split("<tbody>", 1)[-1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [[text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


def href(page: str, text: str) -> str:
    """The address of the link whose text is `text` (entities read)."""
    for target, label in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>(.*?)</a>', page, re.S):
        if text_of(label) == text:
            return html.unescape(target)
    raise AssertionError(f"no link {text!r}")


def csrf_of(page: str) -> str:
    """The session's CSRF token, as the page's forms carry it."""
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    return found.group(1)
