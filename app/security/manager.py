"""The security manager: FAB's, plus login audit and the forced first password change."""
from __future__ import annotations

from flask import g, has_request_context, request
from flask_appbuilder.security.sqla.manager import SecurityManager

from app.models.people import LoginEvent, Person


class KundelikSecurityManager(SecurityManager):
    def exist_permission_on_roles(self, view_name, permission_name, role_ids) -> bool:
        """FAB asks the database once per menu entry and button (about 20 queries a page);
        load the roles' permissions once per request instead and answer from memory."""
        if not has_request_context():
            return super().exist_permission_on_roles(view_name, permission_name, role_ids)
        key = tuple(sorted(role_ids))
        cached = g.get("_kd_permissions")
        if cached is None or cached[0] != key:
            pv, perm, view, role = (self.permissionview_model, self.permission_model,
                                    self.viewmenu_model, self.role_model)
            rows = (self.session.query(perm.name, view.name)
                    .select_from(pv).join(perm, pv.permission).join(view, pv.view_menu)
                    .join(pv.role).filter(role.id.in_(key)).all())
            cached = (key, {(p, v) for p, v in rows})
            g._kd_permissions = cached
        return (permission_name, view_name) in cached[1]

    def _record_login(self, username: str, user, success: bool) -> None:
        ip = request.remote_addr if has_request_context() else None
        self.session.add(LoginEvent(username=(username or "")[:256],
                                    user_id=user.id if user is not None else None,
                                    ip=ip, success=success))
        self.session.commit()

    def auth_user_db(self, username, password):
        user = super().auth_user_db(username, password)
        if user is None and username:
            known = self.find_user(username=username)
            self._record_login(username, known, False)
        elif user is not None:
            self._record_login(username, user, True)
        return user

    def reset_password(self, userid, password):
        """Own change clears the "must change" flag; a reset by someone else sets it."""
        super().reset_password(userid, password)
        person = self.session.query(Person).filter(Person.user_id == int(userid)).one_or_none()
        if person is not None:
            own = has_request_context() and getattr(g, "user", None) is not None \
                and g.user.id == int(userid)
            person.must_change_password = not own
            person.temp_password = None if own else person.temp_password
            self.session.commit()
