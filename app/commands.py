"""Command-line tools: ``flask users ...`` and ``flask demo``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.forms import normalise_email
from app.models import StaffRole, User
from app.passwords import MIN_PASSWORD_LENGTH, hash_password

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True, help="Login e-mail address.")
@click.option("--name", required=True, help="Full name.")
@click.option(
    "--role",
    type=click.Choice([role.value for role in StaffRole]),
    default=StaffRole.ADMIN.value,
    show_default=True,
)
@click.option("--locale", type=click.Choice(["fa", "en"]), default="fa", show_default=True)
@click.password_option(help="Password (asked for when not given).")
def create_user(email: str, name: str, role: str, locale: str, password: str) -> None:
    """Create a staff account, such as the first administrator."""
    email = normalise_email(email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"use at least {MIN_PASSWORD_LENGTH} characters", param_hint="password"
        )
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise click.ClickException(f"an account with e-mail {email} already exists")
    user = User(
        email=email,
        name=name.strip(),
        locale=locale,
        staff_role=StaffRole(role),
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {email}.")


@users_cli.command("list")
def list_users() -> None:
    """List every account with its role and state."""
    for user in db.session.scalars(select(User).order_by(User.email)):
        role = user.staff_role.value if user.staff_role else "member"
        state = "active" if user.active else "inactive"
        click.echo(f"{user.email}\t{role}\t{state}\t{user.name}")


@click.command("demo")
def load_demo() -> None:
    """Load the demo organisations and accounts (safe to run again)."""
    from app.demo import DEMO_PASSWORD, load_demo_data

    if not current_app.config["ALLOW_DEMO_DATA"]:
        raise click.ClickException("demo data is for development only (APP_CONFIG=development)")
    people = load_demo_data(db.session, hash_password(DEMO_PASSWORD))
    click.echo(f"Demo data ready. Every demo account's password is: {DEMO_PASSWORD}")
    for person in people:
        role = person.staff_role or f"{person.member_role} of {person.organisation}"
        click.echo(f"  {person.email:<34} {role}")


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(load_demo)
