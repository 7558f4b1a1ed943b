"""Chromium and chromedriver for the browser tests: found, installed from apt when missing,
and started headless through Selenium without Selenium Manager.

The tests drive Debian's `chromium` with Debian's `chromedriver` (package `chromium-driver`):
a browser build downloaded at test time is not available on the machines this runs on. When
either is missing and this process is root with apt-get, `ensure()` installs both (apt-get
update, then apt-get install, non-interactive, under a file lock so parallel test sessions do
not run apt at once, each step with a timeout). When that cannot be done, `ensure()` raises
`BrowserSetupError` saying exactly what to install: the tests then FAIL, they are never
skipped. The pure parts (finding the binaries, composing the apt commands, deciding whether an
install is possible) take their world as arguments so unit tests can check them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

APT_PACKAGES = ("chromium", "chromium-driver")
BROWSER_NAMES = ("chromium", "chromium-browser")
DRIVER_NAMES = ("chromedriver",)
# Where Debian puts them, for a PATH that lacks /usr/bin (cron, odd CI images).
KNOWN_DIRS = ("/usr/bin", "/usr/lib/chromium")
BROWSER_ENV = "ANTT_CHROMIUM"  # a Chromium to use instead of the one found on PATH
DRIVER_ENV = "ANTT_CHROMEDRIVER"  # and its matching chromedriver
APT_TIMEOUT_S = 900.0  # each apt-get step; a slow mirror is slow, a hung one must end
LOCK_PATH = Path(tempfile.gettempdir()) / "antt-browser-tests-apt.lock"

MANUAL = (
    "the browser tests need Debian's Chromium and its driver: run "
    "`sudo apt-get install -y chromium chromium-driver` (Ubuntu: the chromium snap does not "
    "work headless from pytest; use Debian's packages or Google Chrome with its chromedriver), "
    f"or set {BROWSER_ENV} and {DRIVER_ENV} to a Chromium and a chromedriver of the same "
    "major version"
)

Which = Callable[[str], str | None]
Runner = Callable[..., subprocess.CompletedProcess[str]]


class BrowserSetupError(RuntimeError):
    """Chromium or chromedriver is missing and could not be installed; the message says what
    to install."""


@dataclass(frozen=True)
class Binaries:
    """The browser and the driver the tests run."""

    chromium: str
    chromedriver: str


# ------------------------------------------------------------------------ finding


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _first(names: Sequence[str], which: Which, dirs: Sequence[str]) -> str | None:
    for name in names:
        found = which(name)
        if found:
            return found
    for folder in dirs:
        for name in names:
            candidate = os.path.join(folder, name)
            if _executable(candidate):
                return candidate
    return None


def find(
    which: Which = shutil.which,
    env: Mapping[str, str] = os.environ,
    dirs: Sequence[str] = KNOWN_DIRS,
) -> Binaries | None:
    """Chromium and chromedriver when both are here (the environment's choice first), so the
    tests run the browser the machine has instead of fetching one; None when either is
    missing. A path named in the environment that is not an executable is an error: a typo
    there must not silently run some other browser."""
    chosen: dict[str, str | None] = {}
    for key, names in ((BROWSER_ENV, BROWSER_NAMES), (DRIVER_ENV, DRIVER_NAMES)):
        named = env.get(key, "").strip()
        if named:
            if not _executable(named):
                raise BrowserSetupError(f"{key}={named} is not an executable file; {MANUAL}")
            chosen[key] = named
        else:
            chosen[key] = _first(names, which, dirs)
    browser, driver = chosen[BROWSER_ENV], chosen[DRIVER_ENV]
    if browser is None or driver is None:
        return None
    return Binaries(browser, driver)


# ------------------------------------------------------------------------ installing


def apt_commands(packages: Sequence[str] = APT_PACKAGES) -> list[list[str]]:
    """The two apt-get runs that install the packages on a fresh Debian or Ubuntu machine: the
    package lists first (a fresh image has none), then the packages, waiting for another apt
    (unattended upgrades) to let go of dpkg's lock rather than failing at once."""
    return [
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "-o", "DPkg::Lock::Timeout=300", *packages],
    ]


def apt_env(base: Mapping[str, str] = os.environ) -> dict[str, str]:
    """apt's environment: no question may wait for a keyboard that is not there."""
    return {**base, "DEBIAN_FRONTEND": "noninteractive"}


def why_no_install(euid: int, which: Which = shutil.which) -> str | None:
    """Why this process cannot install the packages itself (None: it can), so the failure
    says that instead of showing apt's own complaint."""
    if which("apt-get") is None:
        return "there is no apt-get on this machine"
    if euid != 0:
        return "installing them needs root and the tests do not run as root"
    return None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one installer at a time, across test sessions
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def install(
    run: Runner = subprocess.run,
    timeout: float = APT_TIMEOUT_S,
    lock_path: Path = LOCK_PATH,
    found: Callable[[], Binaries | None] = find,
) -> Binaries:
    """Install the packages with apt-get (another session may have done it while this one
    waited for the lock: then nothing runs). Raises BrowserSetupError with apt's output."""
    with _locked(lock_path):
        ready = found()
        if ready is not None:
            return ready
        for command in apt_commands():
            try:
                done = run(
                    command,
                    env=apt_env(),
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                    stdin=subprocess.DEVNULL,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise BrowserSetupError(f"{' '.join(command)} failed: {exc}; {MANUAL}") from exc
            if done.returncode != 0:
                raise BrowserSetupError(
                    f"{' '.join(command)} failed (exit {done.returncode}; is the package "
                    f"mirror reachable?):\n{done.stdout[-1500:]}{done.stderr[-3000:]}\n{MANUAL}"
                )
        ready = found()
    if ready is None:
        raise BrowserSetupError(f"apt-get installed {' '.join(APT_PACKAGES)} yet {MANUAL}")
    return ready


def ensure(
    *,
    euid: int | None = None,
    which: Which = shutil.which,
    env: Mapping[str, str] = os.environ,
    dirs: Sequence[str] = KNOWN_DIRS,
    run: Runner = subprocess.run,
    lock_path: Path = LOCK_PATH,
) -> Binaries:
    """The binaries, installed first when missing and possible; else BrowserSetupError, so a
    machine without a browser fails the browser tests loudly instead of skipping them."""
    ready = find(which, env, dirs)
    if ready is not None:
        return ready
    reason = why_no_install(os.geteuid() if euid is None else euid, which)
    if reason is not None:
        raise BrowserSetupError(f"Chromium or chromedriver is missing and {reason}: {MANUAL}")
    return install(run, APT_TIMEOUT_S, lock_path, lambda: find(which, env, dirs))


# ------------------------------------------------------------------------ starting


def chrome_options(binaries: Binaries, download_dir: Path) -> Any:
    """Headless Chromium that saves downloads to `download_dir` without asking, runs as root
    in a container (no sandbox there), and does not phone home."""
    from selenium.webdriver import ChromeOptions

    options = ChromeOptions()
    options.binary_location = binaries.chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=vi-VN",
        "--window-size=1366,900",
    ):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(download_dir),
            "download.prompt_for_download": False,
            "download.directory_upgrade": True,
            "safebrowsing.enabled": False,
            "intl.accept_languages": "vi-VN,vi",
        },
    )
    return options


def start(binaries: Binaries, download_dir: Path, log_path: Path) -> Any:
    """A Chrome WebDriver on the given chromedriver. The Service names the driver, so Selenium
    Manager (which would download a driver and a browser) is never asked."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    service = Service(executable_path=binaries.chromedriver, log_output=str(log_path))
    driver = webdriver.Chrome(service=service, options=chrome_options(binaries, download_dir))
    allow_downloads(driver, download_dir)
    return driver


def allow_downloads(driver: Any, folder: Path) -> None:
    """Save the browser's downloads into `folder` (headless Chromium takes this through the
    DevTools protocol; the preference alone is not always honoured)."""
    folder.mkdir(parents=True, exist_ok=True)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior",
        {"behavior": "allow", "downloadPath": str(folder), "eventsEnabled": True},
    )
