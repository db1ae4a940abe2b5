"""The import page in a real browser: the file is sent in the background with a progress
display, and the server's answer (here, the list of errors) replaces the page."""
from __future__ import annotations

from app.extensions import db as _db
from tests import factories


def _bad_staff_file(path):
    path.write_bytes(factories.xlsx(["Last name", "First name"], ["", "Nobody"]))


def test_import_sends_in_background_and_shows_result(net, live_server, browser_context, app,
                                                     tmp_path):
    """Does the import page send the file without leaving the page, show its progress,
    and then show the server's list of errors?"""
    _db.session.remove()
    xlsx = tmp_path / "staff.xlsx"
    _bad_staff_file(xlsx)
    page = browser_context.new_page()
    page.goto(live_server + "/login/")
    page.fill("#username", "school_a_admin")
    page.fill("#password", factories.PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    page.goto(live_server + "/imports/staff")
    form = page.locator("#kd-import-form")
    assert "Sending the file" in form.get_attribute("data-uploading")
    assert "Checking and importing" in form.get_attribute("data-processing")
    page.evaluate("window.kdBeforeUpload = 42")
    page.set_input_files("#kd-import-form input[type=file]", str(xlsx))
    page.click("#kd-import-form button[type=submit]")
    page.wait_for_selector("table.kd-import-errors")
    # the same window: the answer came through the background request, not a navigation
    assert page.evaluate("window.kdBeforeUpload") == 42
    assert page.locator("table.kd-import-errors tbody tr").count() >= 1
