"""Pages stay tight: the number of queries does not grow with the rows shown, and no form
lists organisations or persons as <option>s (they are AJAX selects)."""
from __future__ import annotations

import pytest

from app.extensions import db
from tests import factories
from tests.helpers import option_count

LISTS = [
    ("/organizations/list/", "OrganizationView"),
    ("/persons/list/", "PersonView"),
    ("/memberships/list/", "MembershipView"),
    ("/archive/list/", "ArchiveView"),
    ("/audit/list/", "AuditRecordView"),
    ("/logins/list/", "LoginEventView"),
]


@pytest.fixture()
def big(net, app):
    """70 more schools in district A and 130 more people in school A1 (half archived)."""
    factories.bulk_schools(net.DA, 70)
    factories.bulk_members(net.SA1, 130, registered_every=5, archived_every=2)
    db.session.commit()
    for _ in range(70):
        app.test_client().post("/login/", data={"username": "teacher_a", "password": "x"})
    return net


def _count(client, count_queries, url):
    client.get(url)  # warm caches (permissions, translations)
    with count_queries() as q:
        resp = client.get(url)
    assert resp.status_code == 200, url
    return q.count, resp.get_data(as_text=True)


CASES = [(user, url, view) for user in ("ministry", "dist_a_admin", "school_a_admin")
         for url, view in LISTS
         if not (user == "school_a_admin" and view == "OrganizationView")]  # one row only
#: the fixed part: user, roles, scope, permissions (one query), count, rows, related rows
BOUND = 15


@pytest.mark.parametrize("user,url,view", CASES)
def test_list_queries_do_not_grow(big, login, count_queries, user, url, view):
    """Does a list page run the same number of queries for 5 rows as for 60?"""
    client = login(user)
    few, html_few = _count(client, count_queries, f"{url}?psize_{view}=5")
    many, html_many = _count(client, count_queries, f"{url}?psize_{view}=60")
    rows_few, rows_many = html_few.count("<tr"), html_many.count("<tr")
    assert rows_many > rows_few + 40, (rows_few, rows_many)
    assert many == few, (url, few, many)
    assert many <= BOUND, many


@pytest.mark.parametrize("url", [
    "/organizations/add", "/organizations/edit/{SA1}", "/persons/edit/{teacher}",
    "/memberships/edit/{membership}", "/participants/add", "/persons/list/",
    "/organizations/list/", "/memberships/list/", "/archive/list/", "/audit/list/",
    "/orgsettings/{DA}/subordinates",
])
def test_forms_have_no_big_option_lists(big, login, count_queries, url):
    """Do add, edit and search forms stay small (no <option> per organization or person)?"""
    url = url.format(SA1=big.SA1.id, DA=big.DA.id, teacher=big.teacher_a.person.id,
                     membership=big.teacher_a.id)
    client = login("ministry")
    n, html = _count(client, count_queries, url)
    assert option_count(html) < 60, (url, option_count(html))
    assert "Bulk school 050" not in html or "subordinates" in url
    assert "Массов150" not in html
    assert n <= BOUND, (url, n)


def test_subordinates_queries_do_not_grow(big, login, count_queries):
    """Does the subordinate list run a bounded number of queries per page?"""
    client = login("dist_a_admin")
    n, html = _count(client, count_queries, f"/orgsettings/{big.DA.id}/subordinates")
    assert html.count('name="ids"') == 50
    assert n <= BOUND, n
