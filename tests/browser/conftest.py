"""The built book, served over HTTP on localhost and opened in Debian's headless Chromium.

``make browser-test`` sets BOOK_SITE (the HTML directory) and BOOK_SCREENSHOTS; without
BOOK_SITE these tests are skipped, so ``make test`` (pytest tests) does not need a built
book or a browser. Selenium drives /usr/bin/chromium through /usr/bin/chromedriver (the
packages chromium and chromium-driver): nothing is downloaded.
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("BOOK_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("BOOK_CHROMEDRIVER", "/usr/bin/chromedriver")


@pytest.fixture(scope="session")
def site() -> Path:
    if not os.environ.get("BOOK_SITE"):
        pytest.skip("browser tests run with 'make browser-test' (BOOK_SITE: the built book)")
    path = Path(os.environ["BOOK_SITE"]).resolve()
    if not (path / "index.html").is_file():
        pytest.fail(f"{path}/index.html does not exist: run 'make html' first")
    return path


@pytest.fixture(scope="session")
def screenshots() -> Path:
    path = Path(os.environ.get("BOOK_SCREENSHOTS", "doc/sphinx/build/screenshots")).resolve()
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
        pass


@pytest.fixture(scope="session")
def base_url(site) -> str:
    """The site over HTTP on localhost (a secure context, as the published site is)."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser(base_url):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for program in (CHROMIUM, CHROMEDRIVER):
        if not Path(program).exists():
            pytest.fail(f"{program} is missing: tools/system_packages.sh chromium "
                        "chromium-driver (make browser-test does this)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-background-networking", "--disable-dev-shm-usage",
                     "--window-size=1400,1000", "--hide-scrollbars",
                     "--force-device-scale-factor=1"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    # The copy button writes to the clipboard; the test reads it back.
    driver.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": base_url.rstrip("/"),
        "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    yield driver
    driver.quit()
