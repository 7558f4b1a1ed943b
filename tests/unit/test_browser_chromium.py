"""How the browser tests find Chromium and chromedriver, and install them when missing: the
binaries looked up, the apt-get commands composed, and a failure that says what to install
(the tests fail, never skip, on a machine that has no browser)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium
from tests.browser.chromium import Binaries, BrowserSetupError


def _exe(folder: Path, name: str) -> str:
    path = folder / name
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return str(path)


def which_of(found: dict[str, str]) -> Any:
    return lambda name: found.get(name)


def test_both_found_on_path() -> None:
    which = which_of({"chromium": "/opt/c/chromium", "chromedriver": "/opt/c/chromedriver"})
    assert chromium.find(which, env={}, dirs=()) == Binaries(
        "/opt/c/chromium", "/opt/c/chromedriver"
    )


def test_chromium_browser_is_found_too_and_known_folders_help_a_bare_path(
    tmp_path: Path,
) -> None:
    driver = _exe(tmp_path, "chromedriver")
    which = which_of({"chromium-browser": "/usr/bin/chromium-browser"})
    assert chromium.find(which, env={}, dirs=(str(tmp_path),)) == Binaries(
        "/usr/bin/chromium-browser", driver
    )


def test_a_missing_driver_is_missing() -> None:
    assert chromium.find(which_of({"chromium": "/usr/bin/chromium"}), env={}, dirs=()) is None
    assert chromium.find(which_of({"chromedriver": "/x/chromedriver"}), env={}, dirs=()) is None


def test_the_environment_names_the_binaries(tmp_path: Path) -> None:
    browser, driver = _exe(tmp_path, "chrome"), _exe(tmp_path, "driver")
    env = {chromium.BROWSER_ENV: browser, chromium.DRIVER_ENV: driver}
    assert chromium.find(which_of({}), env=env, dirs=()) == Binaries(browser, driver)


def test_a_wrong_path_in_the_environment_is_an_error_not_another_browser(tmp_path: Path) -> None:
    which = which_of({"chromium": "/usr/bin/chromium", "chromedriver": "/usr/bin/chromedriver"})
    with pytest.raises(BrowserSetupError) as err:
        chromium.find(which, env={chromium.DRIVER_ENV: str(tmp_path / "nope")}, dirs=())
    assert "ANTT_CHROMEDRIVER=" in str(err.value) and "is not an executable file" in str(err.value)
    assert "apt-get install -y chromium chromium-driver" in str(err.value)


def test_the_apt_commands_update_then_install_without_questions() -> None:
    lock = ["-o", "DPkg::Lock::Timeout=300"]
    assert chromium.apt_commands() == [
        ["apt-get", "update"],
        ["apt-get", "install", "-y", *lock, "chromium", "chromium-driver"],
    ]
    env = chromium.apt_env({"PATH": "/usr/bin"})
    assert env == {"PATH": "/usr/bin", "DEBIAN_FRONTEND": "noninteractive"}


def test_who_can_install() -> None:
    apt = which_of({"apt-get": "/usr/bin/apt-get"})
    assert chromium.why_no_install(0, apt) is None
    assert chromium.why_no_install(1000, apt) == (
        "installing them needs root and the tests do not run as root"
    )
    assert chromium.why_no_install(0, which_of({})) == "there is no apt-get on this machine"


class FakeApt:
    """apt-get as a recorder: each run succeeds (or fails when told), and after the install
    the binaries 'exist'."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.ran: list[tuple[list[str], dict[str, Any]]] = []
        self.fail_on = fail_on
        self.installed = False

    def __call__(self, command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        self.ran.append((command, kwargs))
        if command[1] == self.fail_on:
            return subprocess.CompletedProcess(command, 100, "", "E: Unable to locate package")
        if command[1] == "install":
            self.installed = True
        return subprocess.CompletedProcess(command, 0, "", "")

    def which(self, name: str) -> str | None:
        if name == "apt-get":
            return "/usr/bin/apt-get"
        if self.installed and name in ("chromium", "chromedriver"):
            return f"/usr/bin/{name}"
        return None


def test_missing_binaries_are_installed_as_root(tmp_path: Path) -> None:
    apt = FakeApt()
    got = chromium.ensure(
        euid=0, which=apt.which, env={}, dirs=(), run=apt, lock_path=tmp_path / "lock"
    )
    assert got == Binaries("/usr/bin/chromium", "/usr/bin/chromedriver")
    assert [c for c, _ in apt.ran] == chromium.apt_commands()
    for _, kwargs in apt.ran:
        assert kwargs["env"]["DEBIAN_FRONTEND"] == "noninteractive"
        assert kwargs["timeout"] == chromium.APT_TIMEOUT_S
        assert kwargs["stdin"] is subprocess.DEVNULL


def test_nothing_runs_when_another_session_installed_them_meanwhile(tmp_path: Path) -> None:
    apt = FakeApt()
    ready = Binaries("/usr/bin/chromium", "/usr/bin/chromedriver")
    assert chromium.install(apt, 1.0, tmp_path / "lock", lambda: ready) == ready
    assert apt.ran == []


def test_a_failed_install_says_what_apt_said_and_what_to_install(tmp_path: Path) -> None:
    apt = FakeApt(fail_on="install")
    with pytest.raises(BrowserSetupError) as err:
        chromium.ensure(
            euid=0, which=apt.which, env={}, dirs=(), run=apt, lock_path=tmp_path / "lock"
        )
    text = str(err.value)
    assert "apt-get install -y -o DPkg::Lock::Timeout=300 chromium chromium-driver failed" in text
    assert "exit 100" in text and "E: Unable to locate package" in text
    assert "sudo apt-get install -y chromium chromium-driver" in text


def test_a_hung_apt_ends_with_a_clear_error(tmp_path: Path) -> None:
    def hung(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        raise subprocess.TimeoutExpired(command, kwargs["timeout"])

    apt = FakeApt()
    with pytest.raises(BrowserSetupError) as err:
        chromium.ensure(
            euid=0, which=apt.which, env={}, dirs=(), run=hung, lock_path=tmp_path / "lock"
        )
    assert "apt-get update failed" in str(err.value) and "timed out" in str(err.value)


def test_without_root_nothing_runs_and_the_error_says_what_to_install(tmp_path: Path) -> None:
    apt = FakeApt()
    with pytest.raises(BrowserSetupError) as err:
        chromium.ensure(
            euid=1000, which=apt.which, env={}, dirs=(), run=apt, lock_path=tmp_path / "lock"
        )
    assert apt.ran == []
    assert str(err.value).startswith(
        "Chromium or chromedriver is missing and installing them needs root"
    )
    assert "sudo apt-get install -y chromium chromium-driver" in str(err.value)


def test_the_browser_saves_downloads_without_asking(tmp_path: Path) -> None:
    options = chromium.chrome_options(Binaries("/b/chromium", "/b/driver"), tmp_path)
    assert options.binary_location == "/b/chromium"
    assert "--headless=new" in options.arguments
    prefs = options.experimental_options["prefs"]
    assert prefs["download.default_directory"] == str(tmp_path)
    assert prefs["download.prompt_for_download"] is False
