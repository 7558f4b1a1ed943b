"""Fixtures of the browser tests: headless Chromium driving the bot's real web pages.

    async def test_home(web_bot: WebWorld, people, browser) -> None:
        cuong = people("Hoàng Văn", "Cường")
        await join(cuong, web_bot.codes["officer_commune"])
        await cuong.send("/web")
        link = link_in((await cuong.wait_reply("Liên kết đăng nhập")).text)
        assert "Hoàng Văn Cường" in sign_in_browser(browser, link)

- ``chromium`` (session): Debian's chromium + chromedriver, found or installed with apt-get
  (tests/browser/chromium.py); when neither is possible every browser test FAILS with what to
  install. Never skipped.
- ``driver`` (session): one headless Chromium for the whole session, driven by Selenium with
  the chromedriver named explicitly (Selenium Manager never runs, nothing is downloaded).
- ``browser`` (function): that Chromium with no cookies, desktop-sized, downloads saved to
  this test's own folder (the ``downloads`` fixture).
- ``web_bot`` (module): the real bot process with `[web]` on a free loopback port, one per
  module (tests/browser/site.py), polling the emulator; ``people`` makes users who join it.
  A module's ``WEB_CONFIG`` dict adds `[web]` settings (TOML values) to its bot's config.
- The e2e fixtures (``emulator``, ``bot_token``, ``make_user``, ``bot_process``) and the
  failure report (each bot's output, the emulator's complaints) come from tests/e2e.

Every test here is marked ``e2e`` and ``browser`` (deselect with -m 'not browser').
Screenshots go to tests/browser/output/ (pages.OUTPUT); the session summary says where.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import WebDriverException

from tests.browser import chromium, pages
from tests.browser.site import WebWorld, make_world, wait_for_pages
from tests.e2e.client import EmulatorUser, next_user_id
from tests.e2e.conftest import (  # noqa: F401  (the e2e fixtures and failure report, here too)
    bot_process,
    bot_token,
    emulator,
    make_user,
    pytest_runtest_call,
    pytest_runtest_makereport,
)
from tests.e2e.harness import Emulator

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser is an e2e test that drives a browser."""
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.browser)


_STARTED: list[bool] = []  # whether this session started Chromium


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say where the screenshots are, when this session ran the browser."""
    shots = sorted(pages.OUTPUT.glob("*.png")) if pages.OUTPUT.exists() else []
    if _STARTED:
        terminalreporter.write_line(f"browser screenshots: {pages.OUTPUT} ({len(shots)} files)")


class FailedPage:
    """A failing browser test's report shows the page Chromium was on, and a screenshot of
    it is saved as OUTPUT/FAILED-<test>.png."""

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: Any) -> Any:
        report = yield
        driver = getattr(item, "funcargs", {}).get("browser")
        if driver is not None and report.when == "call" and report.failed:
            try:
                name = "FAILED-" + re.sub(r"[^\w-]+", "-", item.name)
                saved = pages.shot(driver, name)
                report.sections.append(
                    (f"browser page ({driver.current_url}; {saved})", pages.text_of(driver))
                )
            except Exception as exc:  # the browser itself may be what failed
                report.sections.append(("browser page", f"(not readable: {exc})"))
        return report


def pytest_configure(config: pytest.Config) -> None:
    """Show the page of a failing browser test (registered once per session)."""
    if not config.pluginmanager.has_plugin("antt-browser-failed-page"):
        config.pluginmanager.register(FailedPage(), "antt-browser-failed-page")


@pytest.fixture(scope="session")
def chromium_binaries() -> chromium.Binaries:
    try:
        return chromium.ensure()
    except chromium.BrowserSetupError as exc:  # fail (never skip): the tests must be noticed
        pytest.fail(f"browser tests: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def driver(
    chromium_binaries: chromium.Binaries, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("chromium")
    for old in pages.OUTPUT.glob("*.png") if pages.OUTPUT.exists() else ():
        old.unlink()  # only this session's screenshots stay
    log = folder / "chromedriver.log"
    try:
        started = chromium.start(chromium_binaries, folder / "downloads", log)
    except WebDriverException as exc:
        said = log.read_text("utf-8", "replace")[-3000:] if log.exists() else ""
        pytest.fail(
            f"browser tests: Chromium did not start ({chromium_binaries}): {exc.msg}\n"
            f"chromedriver's log ({log}):\n{said}\n{chromium.MANUAL}",
            pytrace=False,
        )
    _STARTED.append(True)
    try:
        yield started
    finally:
        started.quit()


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    """This test's download folder (the ``browser`` fixture saves downloads there)."""
    return tmp_path / "downloads"


@pytest.fixture
def browser(driver: Any, downloads: Path) -> Any:
    """The session's Chromium as a fresh visitor: no cookies, desktop size, this test's
    download folder."""
    pages.forget_sessions(driver)
    pages.resize(driver, pages.DESKTOP)
    driver.get("about:blank")
    pages.downloads_to(driver, downloads)
    return driver


@pytest.fixture(scope="module")
def web_world(
    emulator: Emulator,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Iterator[WebWorld]:
    extra: dict[str, str] = getattr(request.module, "WEB_CONFIG", {})
    world = make_world(emulator, tmp_path_factory.mktemp("web-bot"), **extra)
    world.bot.start()
    try:
        yield world
    finally:
        world.bot.stop()


@pytest.fixture
async def web_bot(
    web_world: WebWorld,
    emulator: Emulator,  # noqa: F811
    request: pytest.FixtureRequest,
) -> WebWorld:
    """The module's bot, polling and serving pages (started again if a test left it dead)."""
    request.node.e2e_processes = [web_world.bot]  # its output goes into a failing report
    web_world.log_mark = len(web_world.bot.output())
    if not web_world.bot.running:
        web_world.bot.start()
    await emulator.wait_polling(web_world.token, bot=web_world.bot)
    wait_for_pages(web_world)
    return web_world


@pytest.fixture
async def people(web_bot: WebWorld) -> AsyncIterator[Callable[..., EmulatorUser]]:
    """New Telegram users in private chats with the module's bot."""
    made: list[EmulatorUser] = []

    def make(first_name: str, last_name: str | None = None) -> EmulatorUser:
        user = EmulatorUser(
            web_bot.emulator_url,
            web_bot.token,
            first_name=first_name,
            last_name=last_name,
            user_id=next_user_id(),
        )
        made.append(user)
        return user

    yield make
    for user in made:
        await user.aclose()
