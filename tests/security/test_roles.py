"""The role table: every declared permission exists (a typo would silently grant nothing)."""
from __future__ import annotations

from app.security.roles import COMMON, ROLE_PERMISSIONS


def test_declared_permissions_exist(app, db):
    """Does every permission named in roles.py exist for its view or API?"""
    sm = app.appbuilder.sm
    missing = []
    for role, table in ROLE_PERMISSIONS.items():
        for view, perms in {**table, **COMMON}.items():
            for perm in perms:
                if sm.find_permission_view_menu(perm, view) is None and \
                        sm.find_permission_view_menu(perm.removeprefix("can_"), view) is None:
                    missing.append((role.value, view, perm))
    assert not missing, missing


def test_actions_granted(app, db):
    """Do administrators hold the FAB action permissions (register, exclude, restore)?"""
    sm = app.appbuilder.sm
    role = sm.find_role("School coordinator-administrator")
    names = {(p.permission.name, p.view_menu.name) for p in role.permissions}
    assert {("register", "PersonView"), ("exclude", "MembershipView"),
            ("restore", "ArchiveView")} <= names
