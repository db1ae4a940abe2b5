"""The start page: the user's organisations and what they can do there."""
from __future__ import annotations

from flask import g
from flask_appbuilder import IndexView, expose

from app.services.people import person_of_user


class HomeView(IndexView):
    route_base = ""
    index_template = "home.html"

    @expose("/")
    def index(self):
        user = getattr(g, "user", None)
        person = None
        memberships = []
        if user is not None and getattr(user, "is_authenticated", False):
            person = person_of_user(user.id)
            if person is not None:
                memberships = [m for m in person.memberships if m.end_date is None]
        return self.render_template(self.index_template, person=person, memberships=memberships,
                                    appbuilder=self.appbuilder)
