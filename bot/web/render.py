"""Pages rendered from the Jinja2 templates in bot/web/templates, escaped by default."""

from __future__ import annotations

from typing import Any

import jinja2
from aiohttp import web

from bot.web.session import viewer_of

# The menu of every page: (path, label), in the order shown.
NAV: tuple[tuple[str, str], ...] = (
    ("/", "Tổng quan"),
    ("/thong-ke", "Thống kê"),
    ("/khan", "Tin báo khẩn"),
    ("/bao-cao", "Báo cáo"),
    ("/ban-do", "Bản đồ"),
    ("/tai-ve", "Tệp tải về"),
)

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("bot.web", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def html(
    request: web.Request, template: str, *, title: str, status: int = 200, **values: Any
) -> web.Response:
    """A whole page: the template inside the layout, with who is signed in and the menu."""
    viewer = viewer_of(request)
    here = request.path
    nav = [
        (path, label, here == path or (path != "/" and here.startswith(path + "/")))
        for path, label in NAV
    ]
    body = _ENV.get_template(template).render(
        title=title,
        viewer=viewer if viewer is not None and viewer.pages else None,
        csrf=viewer.csrf if viewer is not None else "",
        nav=nav,
        **values,
    )
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


def message(
    request: web.Request, title: str, text: str, *, status: int = 200, hint: str = ""
) -> web.Response:
    """A page that only says something: a refusal, an expired link, a done sign-out."""
    return html(request, "message.html", title=title, text=text, hint=hint, status=status)
