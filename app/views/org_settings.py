"""Organisation administration: logo, appeals e-mail, subordinate organisations and types.

The pages load the form, call the organisation's command (``app.services.orgs``) with the
user's scope and show its refusal; the commands check and commit."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from sqlalchemy import func, or_, select

from app.extensions import db
from app.models.org import Organization, OrganizationLogo, OrgKind, OrgType
from app.security.scopes import can_read_org, can_write_org, current_scope
from app.services import orgs as org_service
from app.services.errors import DomainError

PAGE = 50


def _org_or_404(org_id: int, write: bool = False) -> Organization:
    org = db.session.get(Organization, org_id)
    if org is None or not can_read_org(org.id) or (write and not can_write_org(org.id)):
        abort(404)
    return org


class OrgSettingsView(BaseView):
    route_base = "/orgsettings"
    default_view = "mine"

    @expose("/")
    @has_access
    def mine(self):
        scope = current_scope()
        ids = sorted(scope.write_ids or scope.read_ids or scope.read_subtrees.keys())
        if not ids:
            if scope.everything:
                org = db.session.scalars(select(Organization).where(
                    Organization.parent_id.is_(None)).order_by(Organization.id)).first()
                if org is not None:
                    return redirect(url_for(".settings", org_id=org.id))
            abort(404)
        return redirect(url_for(".settings", org_id=ids[0]))

    @expose("/<int:org_id>/")
    @has_access
    def settings(self, org_id: int):
        org = _org_or_404(org_id)
        has_logo = db.session.get(OrganizationLogo, org.id) is not None
        return self.render_template("org_settings.html", org=org, has_logo=has_logo,
                                    can_write=can_write_org(org.id),
                                    title=gettext("Organization administration"))

    @expose("/<int:org_id>/logo.png")
    @has_access
    def logo(self, org_id: int):
        _org_or_404(org_id)
        logo = db.session.get(OrganizationLogo, org_id)
        if logo is None:
            abort(404)
        return Response(logo.thumbnail, mimetype="image/png")

    @expose("/<int:org_id>/logo", methods=["POST"])
    @has_access
    def upload_logo(self, org_id: int):
        org = _org_or_404(org_id, write=True)
        upload = request.files.get("logo")
        chosen = upload is not None and bool(upload.filename)
        try:
            org_service.set_logo(current_scope(), org, upload.read() if chosen else None,
                                 upload.filename if chosen else "")
            flash(gettext("The logo is saved"), "success")
        except DomainError as err:
            flash(str(err), "danger")
        return redirect(url_for(".settings", org_id=org_id))

    @expose("/<int:org_id>/email", methods=["POST"])
    @has_access
    def send_code(self, org_id: int):
        org = _org_or_404(org_id, write=True)
        try:
            org_service.request_email_confirmation(current_scope(), org,
                                                   request.form.get("email", ""))
            flash(gettext("A confirmation code was sent to %(email)s", email=org.appeals_email),
                  "success")
        except DomainError as err:
            flash(str(err), "danger")
        return redirect(url_for(".settings", org_id=org_id))

    @expose("/<int:org_id>/email/confirm", methods=["POST"])
    @has_access
    def confirm_code(self, org_id: int):
        org = _org_or_404(org_id, write=True)
        try:
            org_service.confirm_email(current_scope(), org, request.form.get("code", ""))
            flash(gettext("The e-mail for appeals is confirmed"), "success")
        except DomainError as err:  # a wrong code's attempt is counted by the command
            flash(str(err), "danger")
        return redirect(url_for(".settings", org_id=org_id))

    @expose("/<int:org_id>/subordinates", methods=["GET"])
    @has_access
    def subordinates(self, org_id: int):
        org = _org_or_404(org_id)
        args = request.args
        page = max(int(args.get("page", 1) or 1), 1)
        q = select(Organization).where(Organization.path.like(org.path + "%"),
                                       Organization.id != org.id)
        if org.supervised_types and not args.get("all_types"):
            q = q.where(or_(Organization.org_type_id.in_([t.id for t in org.supervised_types]),
                            Organization.kind.in_([OrgKind.region, OrgKind.district])))
        if args.get("type"):
            q = q.where(Organization.org_type_id == int(args["type"]))
        if args.get("territory"):
            q = q.where(Organization.territory == args["territory"])
        if args.get("q"):
            q = q.where(func.lower(Organization.short_name).like(f"%{args['q'].lower()}%"))
        if args.get("state") == "excluded":
            q = q.where(Organization.subordination_excluded.is_(True))
        elif args.get("state") != "all":
            q = q.where(Organization.subordination_excluded.is_(False))
        total = db.session.scalar(select(func.count()).select_from(q.subquery()))
        rows = db.session.scalars(q.order_by(Organization.short_name)
                                  .offset((page - 1) * PAGE).limit(PAGE)).unique().all()
        territories = db.session.scalars(
            select(Organization.territory).where(Organization.path.like(org.path + "%"),
                                                 Organization.territory.is_not(None))
            .distinct().order_by(Organization.territory)).all()
        types = db.session.scalars(select(OrgType).order_by(OrgType.code)).all()
        return self.render_template("org_subordinates.html", org=org, rows=rows, total=total,
                                    page=page, pages=max((total + PAGE - 1) // PAGE, 1),
                                    territories=territories, types=types, args=args,
                                    can_write=can_write_org(org.id),
                                    title=gettext("Subordinate organizations"))

    @expose("/<int:org_id>/subordinates", methods=["POST"])
    @has_access
    def change_subordinates(self, org_id: int):
        org = _org_or_404(org_id, write=True)
        ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
        excluded = request.form.get("do") == "exclude"
        try:
            n = org_service.set_subordination(current_scope(), org, ids, excluded)
        except DomainError as err:
            flash(str(err), "danger")
        else:
            flash((gettext("Excluded: %(n)s", n=n) if excluded
                   else gettext("Included: %(n)s", n=n)), "success")
        return redirect(url_for(".subordinates", org_id=org_id, **request.args))

    @expose("/<int:org_id>/types", methods=["POST"])
    @has_access
    def set_types(self, org_id: int):
        org = _org_or_404(org_id, write=True)
        try:
            org_service.set_supervised_types(
                current_scope(), org,
                [int(i) for i in request.form.getlist("types") if i.isdigit()])
        except DomainError as err:
            flash(str(err), "danger")
        else:
            flash(gettext("The types of subordinate organizations are saved"), "success")
        return redirect(url_for(".settings", org_id=org_id))
