"""``flask kundelik ...`` commands."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

kundelik = AppGroup("kundelik", help="Kundelik administration commands.")
roles = AppGroup("roles", help="Roles and permissions.")
kundelik.add_command(roles)


@roles.command("sync")
def roles_sync():
    """Create the roles and (re)apply their declared permissions."""
    from app.security.roles import sync_roles
    from app.views import MENUS

    counts = sync_roles(current_app.appbuilder, MENUS)
    for name, n in counts.items():
        click.echo(f"{name}: {n} permissions")


@kundelik.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when organisations exist.")
@click.option("--seed", default=2026, show_default=True)
def demo(if_empty: bool, seed: int):
    """Build the demo network (ministry, region, districts, schools, people)."""
    from app.demo.network import build_demo, demo_exists

    if if_empty and demo_exists():
        click.echo("Demo data already present.")
        return
    logins = build_demo(seed=seed)
    click.echo("Demo network ready. Logins (password = login unless noted):")
    for role, login, password in logins:
        click.echo(f"  {role:<40} {login:<16} {password}")


seniority = AppGroup("seniority", help="Seniority of employees.")
kundelik.add_command(seniority)


@seniority.command("update")
@click.option("--on", "on", default=None, help="Date YYYY-MM-DD (default: today).")
def seniority_update(on: str | None):
    """Bring the seniority of every active staff file to the date (change of school year)."""
    import datetime as dt

    from app.security.scopes import system_scope
    from app.services.records.staff import update_seniority

    day = dt.date.fromisoformat(on) if on else dt.date.today()
    n = update_seniority(system_scope(), day)  # a command: it commits
    click.echo(f"Seniority updated on {day.isoformat()}: {n} staff files")


def register_cli(app: Flask) -> None:
    app.cli.add_command(kundelik)
