"""``/api/v1/lookup/<name>/``: scoped matches for the AJAX selects."""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect

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
            schema: {type: string}
          - in: query
            name: q
            schema: {type: string}
          responses:
            200:
              description: up to 20 matches and whether there are more
        """
        if name not in LOOKUPS:
            return self.response_404()
        try:
            page = max(int(request.args.get("page", 1)), 1)
        except ValueError:
            page = 1
        results, more = lookup_page(name, request.args.get("q", "").strip(), page)
        return self.response(200, results=results, more=more)
