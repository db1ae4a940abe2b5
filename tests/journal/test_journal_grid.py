"""The grid page, its JSON endpoints and the journal's REST resources, per role."""
import datetime as dt
import json
import re

import pytest

from app.extensions import db as _db
from app.models.journal import JournalCell, JournalChange, Mark
from app.services import journal_clock
from tests import factories

TODAY = dt.date(2026, 9, 10)


@pytest.fixture()
def school(net, monkeypatch):
    monkeypatch.setattr(journal_clock, "today", lambda: TODAY)
    return factories.journal_school(net)


def _grid_url(s):
    return f"/journal/grid/{s.c5a.id}/{s.math.id}/{s.q1.id}"


def _data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="journal-data">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def test_teacher_opens_grid(school, login):
    """Does the maths teacher see the grid with pupils as rows and lessons as columns?"""
    s = school
    client = login("teacher_a")
    resp = client.get(_grid_url(s))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    data = _data(resp.get_data(as_text=True))
    assert len(data["pupils"]) == 5
    assert len(data["lessons"]) == 10
    assert data["lessons"][0]["write_marks"] is True


def test_teacher_saves_cell(school, login):
    """Can the teacher save "4 5" in a cell, and is the history written?"""
    s = school
    client = login("teacher_a")
    lesson, pupil = s.lessons[0], s.pupils[0]
    resp = client.post("/api/v1/journal/cell", json={
        "lesson_id": lesson.id, "student_id": pupil.id, "marks": [{"value": 4}, {"value": 5}],
        "base_version": 0, "op_id": "op-1"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.json["cell"]["version"] == 1
    assert [m.value for m in _db.session.query(Mark).order_by(Mark.position)] == [4, 5]
    ch = _db.session.query(JournalChange).one()
    assert (ch.old_value, ch.new_value) == ("", "4 5")
    assert _db.session.query(JournalCell).one().version == 1
