"""What a person does in the browser, as small functions the browser tests share.

Every function takes the Selenium driver (one headless Chromium per test session, see
conftest.py) and waits for what it needs instead of sleeping a fixed time. Screenshots go to
`OUTPUT` (tests/browser/output/, git-ignored; ANTT_BROWSER_OUTPUT moves it); the session's
summary line says where they are.

The driver is synchronous: a test whose web server runs in its own event loop (the in-process
app) calls these through `asyncio.to_thread`, so the server can answer while the browser waits.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By

from tests.browser.chromium import allow_downloads

OUTPUT = Path(os.environ.get("ANTT_BROWSER_OUTPUT") or Path(__file__).resolve().parent / "output")


class Screen(NamedTuple):
    """A screen to look at a page on: CSS pixels, and whether it is a phone's (then the page
    is laid out as a phone lays it out: its viewport meta tag, touch, device pixels)."""

    width: int
    height: int
    mobile: bool = False
    scale: float = 1.0


PHONE = Screen(390, 844, mobile=True, scale=2.0)  # a common phone
DESKTOP = Screen(1366, 900)
SIGN_IN = "Đăng nhập"  # the button on the sign-in link's page
SIGN_OUT = "Đăng xuất"
WAIT_S = 10.0
PARTIAL = (".crdownload", ".tmp", ".part")  # Chromium's names for a download under way

T = TypeVar("T")


def _until(what: Callable[[], T | None], timeout: float, failure: Callable[[], str]) -> T:
    """Poll `what` until it gives a value, else fail with what the page showed."""
    __tracebackhide__ = True
    deadline = time.monotonic() + timeout
    while True:
        got = what()
        if got:  # a page between two loads reads as "": not yet
            return got
        if time.monotonic() > deadline:
            raise AssertionError(failure())
        time.sleep(0.05)


def text_of(driver: Any) -> str:
    """What the page shows a reader: the body's visible text (not hidden fields)."""
    try:
        return str(driver.find_element(By.TAG_NAME, "body").text)
    except WebDriverException:
        return ""


def wait_for_text(driver: Any, text: str, timeout: float = WAIT_S) -> str:
    """Wait until the page shows `text`; the page's text (a failure shows the page)."""
    __tracebackhide__ = True

    def shown() -> str | None:
        page = text_of(driver)
        return page if text in page else None

    return _until(
        shown,
        timeout,
        lambda: f"the page never showed {text!r}; {driver.current_url} shows:\n{text_of(driver)}",
    )


def heading(driver: Any) -> str:
    """The page's <h1>: the title every page (and every refusal) carries."""
    try:
        found = driver.find_elements(By.TAG_NAME, "h1")
        return str(found[0].text) if found else ""
    except WebDriverException:  # the page changed under us
        return ""


def wait_for_heading(driver: Any, title: str, timeout: float = WAIT_S) -> str:
    """Wait until the page's title (<h1>) is `title`, e.g. after pressing a button that
    loads another page; the page's text."""
    __tracebackhide__ = True
    _until(
        lambda: heading(driver) == title,
        timeout,
        lambda: (
            f"the page's title never became {title!r}; {driver.current_url} shows:\n"
            f"{text_of(driver)}"
        ),
    )
    return text_of(driver)


def press(driver: Any, label: str) -> None:
    """Press the button (or submit input) whose visible label is `label`."""
    __tracebackhide__ = True
    buttons = [
        b
        for b in driver.find_elements(By.CSS_SELECTOR, "button, input[type=submit]")
        if (b.text or b.get_attribute("value") or "").strip() == label
    ]
    assert buttons, f"no button {label!r} on {driver.current_url}:\n{text_of(driver)}"
    buttons[0].click()


def sign_in_browser(driver: Any, url: str) -> str:
    """What an officer does with the link /web sent: open it, press "Đăng nhập", land on the
    home page. Returns the home page's text."""
    driver.get(url)
    wait_for_text(driver, SIGN_IN)
    press(driver, SIGN_IN)
    return wait_for_heading(driver, "Tổng quan")


def sign_out(driver: Any) -> str:
    """Press "Đăng xuất" in the page's header; the page that follows."""
    press(driver, SIGN_OUT)
    return wait_for_heading(driver, "Đã đăng xuất")


def forget_sessions(driver: Any) -> None:
    """Clear every cookie (every site, every port): the next page opens as a new visitor."""
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})


def resize(driver: Any, screen: Screen) -> None:
    """Look at pages on a phone (PHONE) or a desktop (DESKTOP) from now on."""
    if screen.mobile:
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {
                "width": screen.width,
                "height": screen.height,
                "deviceScaleFactor": screen.scale,
                "mobile": True,
            },
        )
    else:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.set_window_size(screen.width, screen.height)


def shot(driver: Any, name: str, screen: Screen | None = None, *, whole: bool = True) -> Path:
    """Save a screenshot of the page as OUTPUT/<name>.png, the whole page long unless `whole`
    is False; on `screen` when given (the browser goes back to DESKTOP afterwards)."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    if screen is not None:
        resize(driver, screen)
    try:
        if whole:
            png = driver.execute_cdp_cmd(
                "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
            )
            path.write_bytes(base64.b64decode(png["data"]))
        else:
            assert driver.save_screenshot(str(path)), f"Chromium did not save {path}"
    finally:
        if screen is not None:
            resize(driver, DESKTOP)
    return path


def downloads_to(driver: Any, folder: Path) -> Path:
    """Send this browser's next downloads to `folder` (one per test, so a test finds its own
    file and nothing older)."""
    allow_downloads(driver, folder)
    return folder


def wait_for_download(folder: Path, suffix: str = "", timeout: float = 20.0) -> Path:
    """The file a download saved into `folder` once Chromium has finished writing it (no
    partial file left, size steady); with `suffix` (".xlsx") only such a file counts."""
    __tracebackhide__ = True

    def finished() -> Path | None:
        names = list(folder.iterdir()) if folder.exists() else []
        if any(p.name.endswith(PARTIAL) for p in names):
            return None
        done = [p for p in names if p.is_file() and p.name.endswith(suffix)]
        if not done:
            return None
        newest = max(done, key=lambda p: p.stat().st_mtime)
        size = newest.stat().st_size
        time.sleep(0.1)
        return newest if size > 0 and newest.stat().st_size == size else None

    return _until(
        finished,
        timeout,
        lambda: (
            f"no finished download{' ' + suffix if suffix else ''} in {folder}: "
            f"{sorted(p.name for p in folder.iterdir()) if folder.exists() else 'no folder'}"
        ),
    )


def click_link(driver: Any, label: str, within: str = "body") -> None:
    """Follow the link whose visible text is `label` (inside the element `within` selects)."""
    __tracebackhide__ = True
    found = [
        a
        for a in driver.find_elements(By.CSS_SELECTOR, f"{within} a")
        if (a.text or "").strip() == label
    ]
    assert found, f"no link {label!r} in {within} on {driver.current_url}:\n{text_of(driver)}"
    found[0].click()


def table_rows(driver: Any, selector: str) -> list[list[str]]:
    """The body rows of the table `selector` picks, each as its cells' visible texts."""
    rows = driver.find_elements(By.CSS_SELECTOR, f"{selector} tbody tr")
    return [[str(td.text).strip() for td in row.find_elements(By.TAG_NAME, "td")] for row in rows]


_LOADED = "const i = arguments[0]; return i.complete ? i.naturalWidth : -1;"


def wait_for_image(driver: Any, selector: str, timeout: float = WAIT_S) -> list[int]:
    """Wait until every image `selector` picks has loaded and really drawn (naturalWidth above
    0: a broken image reads 0), scrolled into view first because the pages load them lazily;
    their natural widths."""
    __tracebackhide__ = True
    images = driver.find_elements(By.CSS_SELECTOR, selector)
    assert images, f"no image {selector!r} on {driver.current_url}:\n{text_of(driver)}"

    def widths() -> list[int] | None:
        got = []
        for image in images:
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", image)
            got.append(int(driver.execute_script(_LOADED, image)))
        return got if all(w > 0 for w in got) else None

    return _until(
        widths,
        timeout,
        lambda: (
            f"{selector} on {driver.current_url} did not load (naturalWidth): "
            f"{[driver.execute_script(_LOADED, i) for i in images]}"
        ),
    )


_OVERFLOW = """
const seen = arguments[0];  // the phone's width (the layout viewport grows with the page)
function clipped(e) {  // inside a box that scrolls or clips and itself fits (a table, the map)
  for (let a = e.parentElement; a; a = a.parentElement) {
    if (getComputedStyle(a).overflowX !== 'visible' && a !== document.body
        && a !== document.documentElement && a.getBoundingClientRect().right <= seen + 1) {
      return true;
    }
  }
  return false;
}
const over = Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > seen + 1 && !clipped(e))
  .map(e => e.tagName.toLowerCase() + (e.name ? '[name=' + e.name + ']' : ''));
return [document.documentElement.scrollWidth, seen, over.slice(0, 5)];
"""


def phone_shot(driver: Any, name: str) -> Path:
    """A whole-page screenshot on PHONE, once the page is seen to fit the phone's width: no
    sideways scrolling, nothing sticking out (a wide table scrolls in its own box)."""
    __tracebackhide__ = True
    resize(driver, PHONE)
    try:
        wide, seen, over = driver.execute_script(_OVERFLOW, PHONE.width)
        if wide > seen or over:
            shot(driver, f"{name}-OVERFLOW")
        assert wide <= seen and not over, (
            f"{driver.current_url} is {wide}px wide on a {seen}px phone; sticking out: {over}"
        )
        return shot(driver, name)
    finally:
        resize(driver, DESKTOP)


def wait_for_url(driver: Any, part: str, timeout: float = WAIT_S) -> str:
    """Wait until the browser is on an address holding `part` (a form sent by GET has
    loaded its answer, whatever the page before showed); the address."""
    __tracebackhide__ = True
    return _until(
        lambda: driver.current_url if part in driver.current_url else None,
        timeout,
        lambda: f"the browser never went to an address with {part!r}: {driver.current_url}",
    )
