"""XLSX import pages: the template, the upload (checked whole, then written by one command,
``app.services.imports.run_import``) and the import history."""
from __future__ import annotations

from flask import abort, flash, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models.imports import ImportRecord
from app.models.org import Organization
from app.security.filters import OrgReadFilter
from app.security.scopes import current_scope, org_clause
from app.services.errors import ScopeError
from app.services.imports import run_import, template_xlsx
from app.services.pupils.importing import PUPIL_IMPORT
from app.services.records.staff_import import STAFF_IMPORT
from app.views.base import ScopedModelView, xlsx_response

SPECS = {STAFF_IMPORT.kind: STAFF_IMPORT, PUPIL_IMPORT.kind: PUPIL_IMPORT}
MAX_FILE_BYTES = 10 * 1024 * 1024


class ImportRecordView(ScopedModelView):
    datamodel = SQLAInterface(ImportRecord)
    route_base = "/importhistory"
    list_title = _l("Import history")
    label_columns = {"at": _l("Time"), "user": _l("User"), "kind": _l("Import"),
                     "file_name": _l("File"), "rows": _l("Rows"), "created": _l("Created"),
                     "updated": _l("Updated"), "skipped": _l("Unchanged")}
    list_columns = ["at", "user", "kind", "file_name", "rows", "created", "updated", "skipped"]
    search_columns = ["at", "kind", "file_name"]
    base_order = ("at", "desc")
    base_filters = [["organization_id", OrgReadFilter, None]]
    base_permissions = ["can_list", "can_show"]


def _writable_orgs() -> list[Organization]:
    return db.session.scalars(select(Organization).where(
        org_clause(Organization.id, current_scope(), write=True))
        .order_by(Organization.short_name).limit(200)).all()


class ImportView(BaseView):
    route_base = "/imports"
    default_view = "upload"

    @expose("/<kind>/template")
    @has_access
    def template(self, kind: str):
        spec = SPECS.get(kind) or abort(404)
        return xlsx_response(template_xlsx(spec), f"{kind}_template")

    @expose("/<kind>", methods=["GET", "POST"])
    @has_access
    def upload(self, kind: str = "staff"):
        spec = SPECS.get(kind) or abort(404)
        orgs = _writable_orgs()
        outcome = None
        if request.method == "POST":
            org = db.session.get(Organization, int(request.form.get("org") or 0))
            if org is None:
                abort(403)
            try:  # the import's own write rule, refused as 403 before the file is read
                spec.authorise(current_scope(), org.id)
            except ScopeError:
                abort(403)
            upload = request.files.get("file")
            data = upload.read(MAX_FILE_BYTES + 1) if upload and upload.filename else b""
            if not data:
                flash(gettext("Choose an XLSX file"), "danger")
            elif len(data) > MAX_FILE_BYTES:
                flash(gettext("The file is larger than 10 MB"), "danger")
            else:
                outcome = run_import(current_scope(), spec, org, data, upload.filename)
                if outcome.ok:
                    flash(gettext("Imported: %(n)s rows", n=outcome.record.rows), "success")
                else:
                    flash(gettext("The file was rejected: nothing was imported"), "danger")
        history = db.session.scalars(select(ImportRecord).where(
            ImportRecord.kind == kind,
            org_clause(ImportRecord.organization_id, current_scope()))
            .order_by(ImportRecord.at.desc()).limit(10)).all()
        return self.render_template("records/import.html", spec=spec, orgs=orgs,
                                    outcome=outcome, history=history,
                                    title=gettext("Import: %(what)s", what=spec.title))
