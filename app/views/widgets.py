"""A scoped AJAX select: the browser asks /api/v1/lookup/<name>/ for matches page by page,
so a form never renders thousands of <option>s and never offers rows outside the scope."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import Field

from app.extensions import db
from app.security.lookups import LOOKUPS, lookup_allows


class AjaxSelectWidget:
    def __call__(self, field, **kwargs):
        obj = field.data
        option = ""
        if obj is not None:
            option = f'<option value="{obj.id}" selected>{escape(LOOKUPS[field.lookup].label(obj))}</option>'
        endpoint = url_for("LookupApi.lookup", name=field.lookup)
        # every interpolated value is escaped (ids and names too)
        return Markup(  # noqa: S704
            f'<select class="form-control kd-ajax-select" id="{escape(field.id)}" '
            f'name="{escape(field.name)}" '
            f'data-endpoint="{endpoint}" data-placeholder="{escape(str(_l("Start typing to search")))}">'
            f'<option value=""></option>{option}</select>'
        )


class ScopedAjaxField(Field):
    """Holds an ORM object; accepts only an id the user's scope lets them pick."""

    widget = AjaxSelectWidget()

    def __init__(self, label=None, validators=None, lookup: str = "organization",
                 current_value=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.lookup = lookup
        self.current_value = current_value

    def _is_current(self, pk: int) -> bool:
        """Keeping the edited row's current value is always allowed (a school administrator
        saves their school without being able to pick its district)."""
        edited = (request.view_args or {}).get("pk") if request else None
        if self.current_value is None or edited is None:
            return False
        try:
            return self.current_value(int(edited)) == pk
        except (TypeError, ValueError):
            return False

    def _value(self):
        return str(self.data.id) if self.data is not None else ""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0]:
            spec = LOOKUPS[self.lookup]
            try:
                pk = int(valuelist[0])
            except ValueError:
                raise ValueError(str(_l("Not a valid choice"))) from None
            obj = db.session.get(spec.model, pk)
            if obj is None or not (self._is_current(pk) or lookup_allows(self.lookup, pk)):
                raise ValueError(str(_l("Not a valid choice")))
            self.data = obj
