"""The bot's one HTTP server: pages, file links, static files and, in webhook mode, Zalo and
Telegram.

`build_app` makes the aiohttp application; `WebServer` listens on `[web] host:port` in the
bot's own process. When Zalo or Telegram runs in webhook mode its path is served here too
(the webhook is attached once the messenger is reached; until then the path answers 503 and
the messenger retries).
Access logs are off: paths hold tokens. Our own log lines name the route and the status,
never a token, a name or a unit.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from importlib.resources import files as package_files
from pathlib import Path

from aiohttp import web

from bot.core.config import Config
from bot.core.engine import Services
from bot.phasereport.photos import telegram_fetcher
from bot.web import auth, files, home, mapview, reports, urgent
from bot.web.keys import ATTEMPTS, HOOK, PHOTOS, SERVICES
from bot.web.listen import listen
from bot.web.render import message
from bot.web.security import Attempts, csrf_ok, harden, origin_ok
from bot.web.session import VIEWER, load
from bot.web.tally import downloads as tally_downloads
from bot.web.tally import page as tally_page
from bot.web.tally.cache import TallyCache

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Each module that serves pages adds its routes here (route tables, in the menu's order).
ROUTES: tuple[web.RouteTableDef, ...] = (
    auth.routes,
    files.routes,
    home.routes,
    tally_page.routes,
    urgent.routes,
    reports.routes,
    mapview.routes,
    tally_downloads.routes,
)

# POSTs a token in the path authorises by itself (no session yet, so no CSRF token).
TOKEN_POSTS = (auth.SIGNIN_PREFIX, files.FILE_PREFIX)

_ERRORS: dict[int, tuple[str, str, str]] = {
    401: (
        "Chưa đăng nhập",
        "Bạn cần đăng nhập để xem trang này.",
        "Gõ /web trong chat với bot (Telegram hoặc Zalo) để nhận liên kết đăng nhập.",
    ),
    403: (
        "Không có quyền",
        "Trang hoặc tệp này không dành cho bạn.",
        "Trang web dành cho cán bộ Công an xã, cán bộ chỉ đạo và quản trị. Cần tệp? Gõ lại lệnh"
        " trong chat để nhận liên kết của chính bạn.",
    ),
    404: ("Không tìm thấy", "Không có trang này.", "Về trang Tổng quan để chọn lại."),
    405: ("Không thực hiện được", "Thao tác này không được hỗ trợ ở đây.", ""),
    413: ("Nội dung quá lớn", "Dữ liệu gửi lên quá lớn.", ""),
    429: (
        "Quá nhiều lần thử",
        "Có quá nhiều lần mở liên kết từ địa chỉ này.",
        "Đợi một phút rồi thử lại.",
    ),
}


def build_app(services: Services) -> web.Application:
    """The application: every page and link route, the static files, and the Zalo path."""
    config = services.config
    app = web.Application(client_max_size=MAX_BODY, middlewares=[_errors, _sessions, _changes])
    app[SERVICES] = services
    app[ATTEMPTS] = Attempts(config.web.attempts_per_minute)
    app[HOOK] = {}
    app[PHOTOS] = {"fetch": telegram_fetcher(config)}
    app[tally_page.TALLIES] = TallyCache()
    for table in ROUTES:
        app.router.add_routes(table)
    static = Path(str(package_files("bot.web") / "static"))
    app.router.add_static("/static/", static, append_version=False)
    for messenger, path in _hook_paths(config).items():
        app.router.add_post(path, _hook)
        app.router.add_post(f"{path.rstrip('/')}/{{bot}}", _hook)  # listed bots (hooks.py)
        app[HOOK][messenger] = {}
    app.on_response_prepare.append(_headers)
    return app


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    harden(response, request.app[SERVICES].config.web)


def _hook_paths(config: Config) -> dict[str, str]:
    """The webhook path of each messenger posting updates here: webhook mode with any bot."""
    paths = {}
    telegram, zalo = config.telegram, config.zalo
    if telegram.mode == "webhook" and (config.telegram_token or telegram.bots):
        paths["telegram"] = telegram.webhook_path
    if zalo.mode == "webhook" and (config.zalo_token or zalo.bots):
        paths["zalo"] = zalo.webhook_path
    return paths


async def _hook(request: web.Request) -> web.StreamResponse:
    """A messenger's post, to the handler of the bot whose path it names."""
    handler = None
    for handlers in request.app[HOOK].values():
        handler = handler or handlers.get(request.path)
    if handler is None:  # that bot not reached yet: the messenger retries
        return web.json_response({"ok": False, "description": "starting"}, status=503)
    response: web.StreamResponse = await handler(request)
    return response


def _webhook(request: web.Request) -> bool:
    """Whether a post is a messenger's (no session, no CSRF token: the secret header)."""
    for path in _hook_paths(request.app[SERVICES].config).values():
        if request.path == path or request.path.startswith(path.rstrip("/") + "/"):
            return True
    return False


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refusals and failures as a page in Vietnamese that says what to do next."""
    try:
        return await handler(request)
    except web.HTTPException as err:
        if err.status < 400 or _webhook(request) or err.status not in _ERRORS:
            raise
        title, text, hint = _ERRORS[err.status]
        log.info("web refused", extra={"status": err.status, "route": _route(request)})
        return message(request, title, text, hint=hint, status=err.status)
    except Exception:
        log.exception("web page failed", extra={"route": _route(request)})
        return message(
            request,
            "Có lỗi",
            "Máy chủ gặp lỗi khi mở trang này.",
            hint="Thử lại sau ít phút; nếu vẫn lỗi, báo quản trị viên.",
            status=500,
        )


@web.middleware
async def _sessions(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Find who is signed in (never for static files or Zalo's posts)."""
    if not request.path.startswith("/static/") and not _webhook(request):
        request[VIEWER] = await load(request, request.app[SERVICES])
    return await handler(request)


@web.middleware
async def _changes(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every change proves it comes from one of our pages: the Origin, then the CSRF token
    of the session (sign-in and file-link posts are authorised by their own token)."""
    if request.method in {"GET", "HEAD", "OPTIONS"} or _webhook(request):
        return await handler(request)
    services = request.app[SERVICES]
    if not origin_ok(request, services.config.web.public_url):
        log.warning("web change refused: origin", extra={"route": _route(request)})
        raise web.HTTPForbidden()
    if request.path.startswith(TOKEN_POSTS):
        return await handler(request)
    viewer = request.get(VIEWER)
    form = await request.post()
    token = form.get("csrf")
    if viewer is None or not csrf_ok(token if isinstance(token, str) else None, viewer.csrf):
        log.warning("web change refused: csrf", extra={"route": _route(request)})
        raise web.HTTPForbidden()
    return await handler(request)


def _route(request: web.Request) -> str:
    """The route's pattern ("/tep/{token}"), never the path: a path may hold a token."""
    info = request.match_info.route.resource
    return info.canonical if info is not None else "?"


class WebServer:
    """Listens on `[web] host:port` (or Zalo's webhook address when only Zalo needs it)."""

    def __init__(self, services: Services, host: str, port: int) -> None:
        self.services = services
        self.host = host
        self.port = port
        self.app = build_app(services)
        self._runner: web.AppRunner | None = None

    def attach_hook(self, messenger: str, path: str, handler: Handler) -> None:
        """Serve one bot's webhook path with `handler` from now on (`bot/channels/hooks.py`)."""
        self.app[HOOK].setdefault(messenger, {})[path] = handler

    def detach_hook(self, messenger: str, path: str) -> None:
        """That bot no longer serves here: its posts get 503 until it is back."""
        self.app[HOOK].get(messenger, {}).pop(path, None)

    async def start(self) -> None:
        """Listen; `port` is updated when 0 asked for a free one."""
        self._runner = web.AppRunner(self.app, access_log=None)  # access lines hold tokens
        self.port = await listen(self._runner, self.host, self.port)
        log.info("web server listening", extra={"port": self.port})

    async def stop(self) -> None:
        """Stop listening (requests in flight finish)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
