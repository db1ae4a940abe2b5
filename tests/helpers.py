"""Small helpers shared by the outside-in tests (HTML probing, actions, form data)."""
from __future__ import annotations

import re

from app.extensions import db
from app.models.people import Person


def field_error(html: str, field_id: str) -> str:
    """The error text rendered under the form field ``field_id`` ('' when none)."""
    m = re.search(r'id="%s".*?(?:<div class="alert alert-danger">(.*?)</div>|</tr>)'
                  % re.escape(field_id), html, re.S)
    return " ".join((m.group(1) or "").split()) if m else ""


def option_count(html: str) -> int:
    return len(re.findall(r"<option\b", html))


def action(client, view_route: str, name: str, *ids: int, follow: bool = True):
    """Run a FAB list action (POST /<route>/action_post) on rows ``ids``."""
    return client.post(f"{view_route}/action_post",
                       data={"action": name, "rowid": [str(i) for i in ids]},
                       follow_redirects=follow)


def person_form(org_id: int, **over) -> dict:
    """Form data of "Add participant" for a new person (a valid IIN unless overridden)."""
    data = {"organization": str(org_id), "role": "Teacher", "arrival_date": "2025-09-01",
            "last_name": "Новиков", "first_name": "Асхат", "middle_name": "",
            "birth_date": "", "sex": "", "country": "KZ",
            "national_id": "900101300017", "phone": "", "email": "", "login": "",
            "position": "", "public_title": ""}
    data.update(over)
    return data


def reload(model, pk):
    db.session.expire_all()
    return db.session.get(model, pk)


def person_by_iin(iin: str) -> Person | None:
    db.session.expire_all()
    return db.session.query(Person).filter_by(national_id=iin).one_or_none()
