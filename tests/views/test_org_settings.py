"""Organisation administration: logo, appeals e-mail by code, subordinate list and types."""
from __future__ import annotations

import io
import re

from PIL import Image

from app.extensions import db
from app.models.org import (
    EmailConfirmation,
    Organization,
    OrganizationLogo,
    OrgKind,
    OrgType,
    OutboxMessage,
)
from tests import factories
from tests.helpers import reload


def _image(fmt: str, size=(400, 200), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def _upload(client, org_id, data: bytes, name: str):
    return client.post(f"/orgsettings/{org_id}/logo",
                       data={"logo": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def test_logo_png_and_jpg_stored_and_served_150(net, login):
    """Is a PNG or JPG logo stored and served as a 150x150 image?"""
    client = login("school_a_admin")
    for fmt, name in (("PNG", "logo.png"), ("JPEG", "logo.jpg")):
        page = _upload(client, net.SA1.id, _image(fmt), name).get_data(as_text=True)
        assert "The logo is saved" in page
        resp = client.get(f"/orgsettings/{net.SA1.id}/logo.png")
        assert resp.status_code == 200 and resp.mimetype == "image/png"
        assert Image.open(io.BytesIO(resp.data)).size == (150, 150)
    assert reload(OrganizationLogo, net.SA1.id).content_type == "image/jpeg"


def test_wrong_logo_keeps_old_one(net, login):
    """Does a text file, a GIF or a file over 4 MB keep the old logo and say why?"""
    client = login("school_a_admin")
    _upload(client, net.SA1.id, _image("PNG"), "logo.png")
    old = reload(OrganizationLogo, net.SA1.id).original
    big = _image("PNG", size=(3000, 3000))
    big = big + b"\0" * (4 * 1024 * 1024 + 1 - len(big))
    for data, name, why in ((b"hello", "logo.txt", "not a JPG or PNG"),
                            (_image("GIF"), "logo.gif", "not a JPG or PNG"),
                            (big, "big.png", "larger than 4 MB")):
        page = _upload(client, net.SA1.id, data, name).get_data(as_text=True)
        assert why in page, name
        assert reload(OrganizationLogo, net.SA1.id).original == old


def test_logo_upload_outside_scope_refused(net, login):
    """Can a school administrator change another school's logo?"""
    client = login("school_b_admin")
    resp = _upload(client, net.SA1.id, _image("PNG"), "logo.png")
    assert resp.status_code == 404
    assert reload(OrganizationLogo, net.SA1.id) is None


def _send(client, org_id, email):
    return client.post(f"/orgsettings/{org_id}/email", data={"email": email},
                       follow_redirects=True)


def _confirm(client, org_id, code):
    return client.post(f"/orgsettings/{org_id}/email/confirm", data={"code": code},
                       follow_redirects=True)


def test_appeals_email_confirmed_by_code(net, login):
    """Is the appeals e-mail confirmed by the code written to the outbox, not by a wrong one?"""
    client = login("school_a_admin")
    _send(client, net.SA1.id, "appeals@school-a1.kz")
    msg = db.session.query(OutboxMessage).filter_by(recipient="appeals@school-a1.kz").one()
    code = re.search(r"\b(\d{6})\b", msg.body).group(1)
    wrong = "000000" if code != "000000" else "111111"
    page = _confirm(client, net.SA1.id, wrong).get_data(as_text=True)
    assert "the code is wrong" in page
    assert reload(Organization, net.SA1.id).appeals_email_confirmed_at is None
    page = _confirm(client, net.SA1.id, code).get_data(as_text=True)
    assert "is confirmed" in page
    assert reload(Organization, net.SA1.id).appeals_email_confirmed_at is not None


def test_appeals_email_attempts_limited(net, login):
    """After five wrong codes, is even the right code refused until a new one is sent?"""
    client = login("school_a_admin")
    _send(client, net.SA1.id, "appeals@school-a1.kz")
    code = db.session.query(EmailConfirmation).one().code
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        _confirm(client, net.SA1.id, wrong)
    page = _confirm(client, net.SA1.id, code).get_data(as_text=True)
    assert "too many" in page.lower()
    assert reload(Organization, net.SA1.id).appeals_email_confirmed_at is None
    _send(client, net.SA1.id, "appeals@school-a1.kz")
    code = db.session.query(EmailConfirmation).order_by(EmailConfirmation.id.desc()).first().code
    assert "is confirmed" in _confirm(client, net.SA1.id, code).get_data(as_text=True)


def test_invalid_appeals_email_refused(net, login):
    """Is an address without a domain refused?"""
    client = login("school_a_admin")
    page = _send(client, net.SA1.id, "not-an-address").get_data(as_text=True)
    assert "not a valid e-mail address" in page
    assert db.session.query(OutboxMessage).count() == 0


def _types():
    gen = OrgType(code="general", kind=OrgKind.school, name_ru="Школа", name_kk="Мектеп",
                  name_ky="Мектеп", name_en="School")
    lyc = OrgType(code="lyceum", kind=OrgKind.school, name_ru="Лицей", name_kk="Лицей",
                  name_ky="Лицей", name_en="Lyceum")
    db.session.add_all([gen, lyc])
    db.session.flush()
    return gen, lyc


def test_subordinate_list_filter_search_exclude_include(net, login):
    """Does the district's subordinate list filter by type and territory, search by name,
    and do exclude/include move a school out of and back into the district's scope?"""
    gen, lyc = _types()
    net.SA1.org_type_id = gen.id
    net.SA2.org_type_id = lyc.id
    db.session.commit()
    admin = login("dist_a_admin")
    url = f"/orgsettings/{net.DA.id}/subordinates"
    page = admin.get(url).get_data(as_text=True)
    assert "School A1" in page and "School A2" in page and "School B1" not in page
    page = admin.get(f"{url}?type={lyc.id}").get_data(as_text=True)
    assert "School A2" in page and "School A1" not in page
    page = admin.get(f"{url}?territory=Town+A").get_data(as_text=True)
    assert "School A1" in page and "School A2" not in page
    page = admin.get(f"{url}?q=a2").get_data(as_text=True)
    assert "School A2" in page and "School A1" not in page
    # exclude A2: district staff no longer read it
    admin.post(url, data={"ids": [str(net.SA2.id)], "do": "exclude"})
    assert reload(Organization, net.SA2.id).subordination_excluded
    head = login("dist_a_head")
    assert head.get(f"/organizations/show/{net.SA2.id}").status_code == 404
    assert "School A2" not in head.get("/organizations/list/").get_data(as_text=True)
    page = admin.get(f"{url}?state=excluded").get_data(as_text=True)
    assert "School A2" in page and "School A1" not in page
    # the school itself keeps its own data
    assert login("school_a2_admin").get(f"/organizations/show/{net.SA2.id}").status_code == 200
    admin.post(url, data={"ids": [str(net.SA2.id)], "do": "include"})
    assert not reload(Organization, net.SA2.id).subordination_excluded
    assert login("dist_a_head").get(f"/organizations/show/{net.SA2.id}").status_code == 200


def test_subordinate_list_foreign_district(net, login):
    """Can district B's administrator see or change district A's subordinate list?"""
    b = login("dist_b_admin")
    url = f"/orgsettings/{net.DA.id}/subordinates"
    assert b.get(url).status_code == 404
    assert b.post(url, data={"ids": [str(net.SA1.id)], "do": "exclude"}).status_code == 404
    own = f"/orgsettings/{net.DB.id}/subordinates"
    b.post(own, data={"ids": [str(net.SA1.id)], "do": "exclude"})  # not below DB
    assert not reload(Organization, net.SA1.id).subordination_excluded
    head = login("dist_a_head")
    assert head.post(url, data={"ids": [str(net.SA1.id)], "do": "exclude"}).status_code \
        in (302, 403, 404)
    assert not reload(Organization, net.SA1.id).subordination_excluded


def test_supervised_types(net, login):
    """Does a district choose which organization types it supervises, narrowing its list?"""
    gen, lyc = _types()
    net.SA1.org_type_id = gen.id
    net.SA2.org_type_id = lyc.id
    db.session.commit()
    admin = login("dist_a_admin")
    admin.post(f"/orgsettings/{net.DA.id}/types", data={"types": [str(lyc.id)]})
    assert [t.code for t in reload(Organization, net.DA.id).supervised_types] == ["lyceum"]
    page = admin.get(f"/orgsettings/{net.DA.id}/subordinates").get_data(as_text=True)
    assert "School A2" in page and "School A1" not in page
    page = admin.get(f"/orgsettings/{net.DA.id}/subordinates?all_types=1").get_data(
        as_text=True)
    assert "School A1" in page


def test_settings_page_scope(net, login):
    """Does a school administrator open their own settings but not another school's?"""
    client = login("school_a_admin")
    assert client.get(f"/orgsettings/{net.SA1.id}/").status_code == 200
    assert client.get(f"/orgsettings/{net.SB1.id}/").status_code == 404
    assert client.get("/orgsettings/").headers["Location"].endswith(f"/orgsettings/{net.SA1.id}/")


def test_new_school_under_district_is_subordinate(net, login):
    """Is a new school below a district in its subordinate list by default?"""
    s = factories.org(OrgKind.school, "Fresh", net.DA)
    db.session.commit()
    page = login("dist_a_admin").get(f"/orgsettings/{net.DA.id}/subordinates")
    assert "Fresh" in page.get_data(as_text=True)
    assert not s.subordination_excluded
