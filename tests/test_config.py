"""Configuration and request safety: secret key, CSRF."""
from __future__ import annotations

import pytest

from app import create_app
from app.models.org import Organization, OrgKind
from config import DEV_SECRET, ProductionConfig
from tests import factories
from tests.helpers import person_by_iin, person_form, reload


@pytest.mark.parametrize("secret", ["", DEV_SECRET])
def test_production_refuses_default_secret(monkeypatch, secret):
    """Does the app refuse to start in production without its own SECRET_KEY?"""
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_csrf_post_without_token_refused_and_get_delete_changes_nothing(net, login, app,
                                                                       monkeypatch):
    """With CSRF on, is a POST without token refused and a GET on a delete URL harmless?"""
    empty = factories.org(OrgKind.school, "Empty", net.DB)
    from app.extensions import db

    db.session.commit()
    client = login("ministry")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    resp = client.post("/participants/add", data=person_form(net.SA1.id))
    assert resp.status_code == 400
    assert person_by_iin("900101300017") is None
    resp = client.post(f"/organizations/delete/{empty.id}")
    assert resp.status_code == 400
    client.get(f"/organizations/delete/{empty.id}")
    assert reload(Organization, empty.id) is not None
    resp = client.post(f"/orgsettings/{net.SB1.id}/email", data={"email": "a@b.kz"})
    assert resp.status_code == 400
    # the pages carry the token, so a real form works
    page = client.get(f"/orgsettings/{net.SB1.id}/").get_data(as_text=True)
    assert 'name="csrf_token"' in page
