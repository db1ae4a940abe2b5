"""No name outside the user's scope through the REST API's meta endpoints (issue 16).

Every resource's ``_info`` is walked as the administrators of two schools and of two
districts (and a plain teacher): it must list no related values at all (Flask-AppBuilder
lists them unscoped), and every look-up it points to must answer only persons and
organisations on the user's side of the network.
"""
from __future__ import annotations

import pytest
from flask_appbuilder.api import ModelRestApi
from sqlalchemy import select

from app.models.people import Membership
from tests import factories

USERS = ("school_a_admin", "school_b_admin", "dist_a_admin", "dist_b_admin", "teacher_a")


@pytest.fixture()
def two_sides(net):
    factories.study_school(net)
    factories.study_school(net, school=net.SB1, prefix="B")
    for i in range(3):
        factories.student(net.SA1, None, last=f"Учениковa{i}")
        factories.student(net.SB1, None, last=f"Учениковb{i}")
    factories.db.session.commit()
    side_a = {net.DA.id, net.SA1.id, net.SA2.id}
    side_b = {net.DB.id, net.SB1.id}
    return {"school_a_admin": side_b | {net.SA2.id}, "school_b_admin": side_a,
            "dist_a_admin": side_b, "dist_b_admin": side_a, "teacher_a": side_b}


def _resources(app) -> list[str]:
    return sorted(v.resource_name for v in app.appbuilder.baseviews
                  if isinstance(v, ModelRestApi))


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _outside_persons(forbidden_orgs: set[int]) -> set[int]:
    """Persons whose every membership is in ``forbidden_orgs``."""
    rows = factories.db.session.execute(select(Membership.person_id, Membership.organization_id))
    orgs: dict[int, set[int]] = {}
    for pid, oid in rows:
        orgs.setdefault(pid, set()).add(oid)
    return {pid for pid, oids in orgs.items() if oids <= forbidden_orgs}


def test_info_lists_no_related_values_and_lookups_stay_in_scope(two_sides, api_token, app):
    """Does no ``_info`` of any resource list a related value, carry the catalogue header as
    a description, or point to a look-up that answers someone from the other side?"""
    client = app.test_client()
    resources = _resources(app)
    assert len(resources) >= 25
    seen_info = seen_lookup = 0
    for user in USERS:
        headers = api_token(user)
        forbidden = two_sides[user]
        outside = _outside_persons(forbidden)
        assert outside, "the other side has people"
        lookups: set[str] = set()
        for name in resources:
            resp = client.get(f"/api/v1/{name}/_info", headers=headers)
            if resp.status_code in (401, 403, 404, 405):
                continue
            assert resp.status_code == 200, (user, name, resp.status_code)
            seen_info += 1
            for node in _walk(resp.json):
                assert "values" not in node, (user, name, node.get("name"))
                assert "Project-Id-Version" not in str(node.get("description", "")), (user, name)
                if "lookup" in node:
                    lookups.add(node["lookup"])
        for url in sorted(lookups):
            resp = client.get(url, headers=headers)
            assert resp.status_code == 200, (user, url)
            seen_lookup += 1
            ids = {r["id"] for r in resp.json["results"]}
            if "organization" in url:
                assert not ids & forbidden, (user, url, ids & forbidden)
            elif url.rstrip("/").rsplit("/", 1)[-1] in ("person", "pupil", "teacher"):
                assert not ids & outside, (user, url, ids & outside)
    assert seen_info > 40 and seen_lookup > 5


def test_info_of_a_person_field_as_teacher_shows_no_names(two_sides, api_token, app):
    """A plain teacher, who may not list persons, gets no person name from pupil_file's or
    class_enrollment's ``_info``."""
    headers = api_token("teacher_a")
    client = app.test_client()
    names = {m.person.last_name for m in factories.db.session.scalars(select(Membership))}
    answered = 0
    for resource in ("pupil_file", "class_enrollment", "staff_file", "journal_attendance",
                     "journal_mark", "curriculum_item", "timetable_entry", "lesson_plan"):
        resp = client.get(f"/api/v1/{resource}/_info", headers=headers)
        answered += resp.status_code == 200
        text = resp.get_data(as_text=True)
        assert not [n for n in names if n in text], resource
    assert answered >= 4
