"""The journal grid in a real browser: keyboard entry, offline queue, conflicts."""
from __future__ import annotations

import datetime as dt

import pytest

from app import clock
from app.extensions import db as _db
from app.models.journal import JournalCell, Mark
from app.security.scopes import build_scope
from app.services.journal import write
from tests import factories
from tests.browser.conftest import wait_for

TODAY = dt.date(2026, 9, 10)


@pytest.fixture()
def grid(net, monkeypatch, live_server, browser_context, app):
    """teacher_a logged in on the 5 А maths grid; the page and the school."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    s = factories.journal_school(net)
    ids = dict(c=s.c5a.id, m=s.math.id, q=s.q1.id, user=s.t1.user.id, t1=s.t1.id,
               lessons=[x.id for x in s.lessons], pupils=[p.id for p in s.pupils])
    _db.session.remove()
    app.config["WTF_CSRF_ENABLED"] = True  # the page must send its CSRF token
    page = browser_context.new_page()
    page.goto(live_server + "/login/")
    page.fill("#username", "teacher_a")
    page.fill("#password", factories.PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server}/journal/grid/{ids['c']}/{ids['m']}/{ids['q']}")
    page.wait_for_selector("td.jc")
    yield page, ids, s
    app.config["WTF_CSRF_ENABLED"] = False


def _cell(page, lesson_id, pupil_id):
    return page.locator(f'td.jc[data-lesson="{lesson_id}"][data-student="{pupil_id}"]')


def _marks(lesson_id, pupil_id):
    return [m.value for m in _db.session.query(Mark).filter_by(
        lesson_id=lesson_id, student_id=pupil_id).order_by(Mark.position)]


def _attendance(lesson_id, pupil_id):
    cell = _db.session.query(JournalCell).filter_by(lesson_id=lesson_id,
                                                    student_id=pupil_id).first()
    return (cell.attendance.value, cell.late_minutes) if cell and cell.attendance else None


def test_keyboard_entry_saves_marks_and_attendance(grid):
    """Does typing 5, "4 5", н and о15 with Enter/Tab save each cell (Cyrillic codes)?"""
    page, ids, _ = grid
    l0, l1 = ids["lessons"][:2]
    p0, p1, p2 = ids["pupils"][:3]
    _cell(page, l0, p0).click()
    page.keyboard.type("5")
    page.keyboard.press("Enter")          # saves and moves down to pupil 1
    page.keyboard.type("4 5")
    page.keyboard.press("Tab")            # saves and moves right to lesson 1
    # a Cyrillic keyboard layout sends keydown "н" (Playwright's US layout cannot type it)
    page.dispatch_event(f'td.jc[data-lesson="{l1}"][data-student="{p1}"]', "keydown",
                        {"key": "н"})
    page.keyboard.press("Enter")
    page.keyboard.press("F2")             # edit the cell text, typed as Latin "l15"
    page.keyboard.type("l15")
    page.keyboard.press("Enter")
    for lid, pid in ((l0, p0), (l0, p1), (l1, p1), (l1, p2)):
        page.wait_for_selector(
            f'td.jc[data-lesson="{lid}"][data-student="{pid}"][data-status="saved"]')
    assert wait_for(lambda: _marks(l0, p0) == [5])
    assert _marks(l0, p1) == [4, 5]
    assert _attendance(l1, p1) == ("absent", None)
    assert _attendance(l1, p2) == ("late", 15)
    assert "4 5" in _cell(page, l0, p1).inner_text()


def test_error_shown_in_cell(grid):
    """Is a refused value (mark 7) shown as an error with the server's message?"""
    page, ids, _ = grid
    _cell(page, ids["lessons"][0], ids["pupils"][0]).click()
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    cell = page.wait_for_selector('td.jc[data-status="error"]')
    assert "from 2 to 5" in cell.inner_text()
    assert _marks(ids["lessons"][0], ids["pupils"][0]) == []


def test_offline_queue_is_sent_when_back_online(grid, browser_context):
    """Offline: is the entry kept as pending in the queue, and sent once back online?"""
    page, ids, _ = grid
    l0, p2 = ids["lessons"][0], ids["pupils"][2]
    browser_context.set_offline(True)
    _cell(page, l0, p2).click()
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    page.wait_for_selector(f'td.jc[data-lesson="{l0}"][data-student="{p2}"]'
                           '[data-status="pending"]')
    page.wait_for_selector("#journal-queue")
    assert page.evaluate("window.kdJournal.queue().length") == 1
    assert _marks(l0, p2) == []
    browser_context.set_offline(False)
    page.wait_for_selector(f'td.jc[data-lesson="{l0}"][data-student="{p2}"]'
                           '[data-status="saved"]', timeout=20000)
    assert wait_for(lambda: _marks(l0, p2) == [3])
    assert page.evaluate("window.kdJournal.queue().length") == 0


def test_conflict_shown_and_resolved(grid):
    """When the cell changed elsewhere, is the conflict shown with both values, and does
    "keep mine" save the teacher's value over the server's?"""
    page, ids, s = grid
    l0, p0 = ids["lessons"][0], ids["pupils"][0]
    from flask_appbuilder.security.sqla.models import User

    from app.models.timetable import Lesson

    lesson = _db.session.get(Lesson, l0)
    user = _db.session.get(User, ids["user"])
    write.save_cell(build_scope(user), lesson, p0, marks=[2], base_version=0, op_id=None,
                    actor_person_id=ids["t1"], user_id=user.id)
    _db.session.remove()
    _cell(page, l0, p0).click()
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    box = page.wait_for_selector(".jc-conflict")
    text = box.inner_text()
    assert "4" in text and "2" in text
    assert _marks(l0, p0) == [2]
    page.click(".jc-conflict .jc-keep")
    page.wait_for_selector(f'td.jc[data-lesson="{l0}"][data-student="{p0}"]'
                           '[data-status="saved"]')
    assert wait_for(lambda: _marks(l0, p0) == [4])


def test_changing_a_set_grade_under_a_grant_asks_for_the_reason(grid):
    """With a period grade set and an active access grant, does changing the grade in the
    grid ask for the reason and store it with the change?"""
    from app.models.journal import AccessGrant, FinalGrade, FinalKind, JournalChange
    from app.models.people import Membership, Role
    from app.models.study import SchoolClass

    page, ids, _ = grid
    p0 = ids["pupils"][0]
    cls = _db.session.get(SchoolClass, ids["c"])
    director = _db.session.query(Membership).filter_by(
        organization_id=cls.organization_id, role=Role.director).first()
    _db.session.add(FinalGrade(organization_id=cls.organization_id, year_id=cls.year_id,
                               kind=FinalKind.period, period_id=ids["q"], class_id=ids["c"],
                               subject_id=ids["m"], student_id=p0, value="4", version=1))
    _db.session.add(AccessGrant(organization_id=cls.organization_id,
                                granted_by_id=director.person_id, grantee_id=ids["t1"],
                                class_id=ids["c"], subject_id=ids["m"], period_id=ids["q"],
                                until=TODAY + dt.timedelta(days=3), reason="correction"))
    _db.session.commit()
    _db.session.remove()
    page.reload()
    page.wait_for_selector("td.jc")
    answers = iter(["na", "Medical certificate"])
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept(next(answers))

    page.on("dialog", answer)
    page.click(f'td.jf-final[data-student="{p0}"]')
    page.wait_for_selector(f'td.jf-final[data-student="{p0}"]:has-text("na")')
    assert len(asked) == 2
    change = wait_for(lambda: _db.session.query(JournalChange).filter_by(
        student_id=p0, new_value="na").first())
    assert change.reason == "Medical certificate" and change.old_value == "4"
    _db.session.remove()
    final = _db.session.query(FinalGrade).filter_by(student_id=p0).one()
    assert (final.value, final.version) == ("na", 2)
