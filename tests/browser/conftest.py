"""Browser tests: the app served from a thread on the test database, driven by Playwright
with Debian's chromium (``/usr/bin/chromium``; never ``playwright install``). They skip,
saying why, when chromium or Playwright is missing."""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time

import pytest

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def live_server(app, db):
    """``base_url`` of the app served by werkzeug in a thread (same database as the test)."""
    from werkzeug.serving import make_server

    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture()
def browser_context():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"chromium not found at {CHROMIUM}: run `make install` as root "
                    "(apt-get install chromium) to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed (requirements-dev.txt)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(locale="en-US")
        context.set_default_timeout(15000)
        yield context
        context.close()
        browser.close()


def wait_for(check, timeout: float = 10.0, interval: float = 0.1):
    """Poll ``check()`` (reading the database afresh) until it is truthy."""
    from app.extensions import db

    deadline = time.monotonic() + timeout
    while True:
        db.session.remove()
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
