"""The demo journal (app/demo/journal.py) on two small demo-like schools."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select

from app.extensions import db as _db
from app.models.journal import (
    AccessGrant,
    GradingPolicyName,
    JournalCell,
    JournalChange,
    JournalSettings,
    LessonRecord,
    Mark,
    MarkCategory,
)
from app.models.people import ParentLink, Role
from tests import factories


def _schools(net):
    from app.demo.study import build_school_study

    rng = random.Random(5)
    for school in (net.SA1, net.SB1):
        factories.bulk_members(school, 14, Role.teacher, registered_every=0,
                               archived_every=0)
        build_school_study(school, rng, parallels=range(5, 7))
    _db.session.commit()
    return [net.SA1, net.SB1]


def test_demo_journal_fills_the_quarter(app, db, net, login, monkeypatch):
    """Does the demo journal fill the first quarter with marks of both kinds (criteria-based
    summatives with a maximum score in the Kazakh school, control marks in the school set to
    the Kyrgyz regulation), attendance, homework, parents (one with two children, one who
    declined electronic access), logins, and three changes under an access grant? Is a
    second run a no-op, and can pupil1 and parent1 open the diary?"""
    from app.demo.journal import build_journal_demo
    from app.demo.network import People

    schools = _schools(net)
    logins: list = []
    rng = random.Random(2026)
    totals = build_journal_demo(schools, People(rng), rng, logins, "demo12345")
    _db.session.commit()
    assert totals["marks"] > 500 and totals["cells"] > totals["marks"] / 2
    assert [x[1] for x in logins] == ["pupil1", "parent1", "parent2", "classteacher1"]

    def categories(org):
        return set(_db.session.scalars(select(Mark.category).where(
            Mark.organization_id == org.id).distinct()))

    assert {MarkCategory.formative, MarkCategory.summative_section,
            MarkCategory.summative_term} <= categories(net.SA1)
    assert categories(net.SB1) == {MarkCategory.intermediate, MarkCategory.control}
    assert _db.session.scalar(select(func.count()).select_from(Mark).where(
        Mark.category == MarkCategory.summative_section, Mark.max_score.is_(None))) == 0
    settings = _db.session.scalars(select(JournalSettings)).one()
    assert settings.organization_id == net.SB1.id
    assert settings.grading_policy == GradingPolicyName.kg_weighted
    assert _db.session.scalar(select(func.count()).select_from(LessonRecord).where(
        LessonRecord.homework.is_not(None))) > 100
    links = _db.session.scalars(select(ParentLink)).all()
    assert len(links) == 3 and sum(not x.electronic_consent for x in links) == 1
    assert all(x.consent_date for x in links)  # recorded: parent2's is a refusal
    grant = _db.session.scalars(select(AccessGrant)).one()
    under = _db.session.scalars(select(JournalChange).where(
        JournalChange.grant_id == grant.id)).all()
    assert len(under) == 3 and all(c.reason and c.old_value != c.new_value for c in under)
    before = _db.session.scalar(select(func.count()).select_from(JournalCell))
    assert build_journal_demo(schools, People(rng), rng, [], "x")["cells"] == 0
    assert _db.session.scalar(select(func.count()).select_from(JournalCell)) == before
    monkeypatch.setattr("app.clock.today", lambda: dt.date(2026, 9, 16))
    for username in ("pupil1", "parent1"):
        client = login(username, "demo12345")
        resp = client.get("/diary/", follow_redirects=True)
        assert resp.status_code == 200 and 'class="kd-diary-lesson' in resp.get_data(
            as_text=True)
    html = login("classteacher1", "demo12345").get("/journalhistory/").get_data(as_text=True)
    assert "Ошибка при вводе оценки" in html or "kd-history-row" in html
