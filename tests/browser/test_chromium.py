"""The browser itself: Debian's Chromium through the named chromedriver, with nothing fetched
from the network to get there (Selenium Manager, which would download one, is never asked)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.selenium_manager import SeleniumManager

from tests.browser import chromium
from tests.browser.pages import heading


def test_the_driver_starts_without_selenium_manager(
    chromium_binaries: chromium.Binaries, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("Selenium Manager was asked for a driver or a browser")

    monkeypatch.setattr(SeleniumManager, "binary_paths", refuse)
    driver = chromium.start(chromium_binaries, tmp_path / "downloads", tmp_path / "driver.log")
    try:
        driver.get("data:text/html;charset=utf-8,<h1>Xin chào</h1>")
        assert heading(driver) == "Xin chào"
        assert driver.capabilities["browserName"] in {"chrome", "chromium"}
    finally:
        driver.quit()
