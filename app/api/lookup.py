"""``/api/v1/lookup/<name>/``: scoped matches for the AJAX selects."""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect
from flask_babel import gettext

from app.api.http import field_error
from app.security.lookups import LOOKUPS, lookup_page


class LookupApi(BaseApi):
    resource_name = "lookup"
    allow_browser_login = True
    openapi_spec_tag = "Lookup"

    @expose("/<name>/", methods=["GET"])
    @protect()
    def lookup(self, name: str):
        """Matches for a form select, limited to the user's scope.
        ---
        get:
          parameters:
          - in: path
            name: name
            required: true
            schema: {type: string}
          - in: query
            name: q
            schema: {type: string}
          - in: query
            name: page
            schema: {type: integer, minimum: 1}
          responses:
            200:
              description: up to 20 matches and whether there are more
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      results:
                        type: array
                        items:
                          type: object
                          properties:
                            id: {type: integer}
                            text: {type: string}
                      more: {type: boolean}
            400:
              description: page is not a whole number from 1
            404:
              description: no look-up of this name
        """
        if name not in LOOKUPS:
            return self.response_404()
        raw = request.args.get("page", "1").strip()
        if not raw.isdigit() or int(raw) < 1:
            return field_error(400, "page", gettext("A whole number from 1 is required"),
                               "page")
        page = int(raw)
        results, more = lookup_page(name, request.args.get("q", "").strip(), page)
        return self.response(200, results=results, more=more)
