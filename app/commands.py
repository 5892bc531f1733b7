"""Command-line tools: ``flask users ...``, ``flask demo``, ``flask questionnaires ...`` and
``flask worker``; ``flask backup ...`` lives in app/backup.py."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import inspect, select

from app.backup import backup_cli
from app.extensions import db
from app.forms import normalise_email
from app.instrument.definitions import Questionnaire
from app.instrument.loader import (
    DefinitionError,
    load_directory,
    load_questionnaire,
    shared_item_problems,
)
from app.instrument.versions import check_not_conflicting
from app.jobs.worker import worker_command
from app.models import QuestionnaireVersion, StaffRole, User
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


@users_cli.command("reset-2fa")
@click.option("--email", required=True, help="Login e-mail address of the account.")
def reset_two_factor(email: str) -> None:
    """Turn off two-step sign-in of an account and sign it out everywhere: for an admin
    who lost their authenticator app and recovery codes, with no other admin to ask."""
    from app.auth import sessions, two_factor

    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise click.ClickException(f"no account with e-mail {email}")
    two_factor.turn_off(user)
    ended = sessions.end_all_sessions(user)
    db.session.commit()
    current_app.logger.warning(
        "Two-step sign-in of user %s (%s) reset from the shell", user.id, user.email
    )
    click.echo(f"Two-step sign-in of {user.email} is off; {ended} session(s) ended.")


@click.command("demo")
def load_demo() -> None:
    """Load the demo organisations and accounts (safe to run again)."""
    from app.demo import (
        DEMO_PASSWORD,
        load_demo_assessments,
        load_demo_consents,
        load_demo_data,
        load_demo_library,
        load_demo_tracker,
    )

    if not current_app.config["ALLOW_DEMO_DATA"]:
        raise click.ClickException("demo data is for development only (APP_CONFIG=development)")
    # Reports rendered ahead from here would run on this command's own threads and be cut
    # off when it ends (a split render then warned that a part had died): the server
    # renders the demo's reports when they are first asked for.
    current_app.config["REPORTS_RENDER_AHEAD"] = False
    people = load_demo_data(db.session, hash_password(DEMO_PASSWORD))
    questionnaires = load_directory(Path(current_app.config["ASSESSMENTS_DIR"]))
    for title in load_demo_assessments(questionnaires):
        click.echo(f"Demo assessment created: {title}")
    for name in load_demo_consents(db.session):
        click.echo(f"Demo benchmark consent given: {name}")
    for key in load_demo_library(questionnaires):
        click.echo(f"Demo questionnaire published: {key}")
    for name in load_demo_tracker():
        click.echo(f"Demo customer tracker filled: {name}")
    click.echo(f"Demo data ready. Every demo account's password is: {DEMO_PASSWORD}")
    for person in people:
        role = person.staff_role or f"{person.member_role} of {person.organisation}"
        click.echo(f"  {person.email:<34} {role}")


questionnaires_cli = AppGroup("questionnaires", help="Questionnaire definitions (YAML).")


@questionnaires_cli.command("list")
def list_questionnaires() -> None:
    """List the questionnaires in the assessments folder."""
    try:
        loaded = load_directory(Path(current_app.config["ASSESSMENTS_DIR"]))
    except DefinitionError as error:
        raise click.ClickException("invalid definitions:\n" + str(error)) from None
    for questionnaire in loaded:
        definition = questionnaire.definition
        items = sum(len(dimension.items) for dimension in definition.dimensions)
        click.echo(
            f"{definition.id}\t{definition.version}\t{len(definition.dimensions)} dimensions\t"
            f"{items} items\t{questionnaire.content_hash[:12]}\t{definition.title.en}"
        )


@questionnaires_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate_questionnaires(paths: tuple[Path, ...]) -> None:
    """Check definition files (default: every file in the assessments folder)."""
    folder = Path(current_app.config["ASSESSMENTS_DIR"])
    paths = paths or tuple(sorted(folder.glob("*.yaml")))
    # Shared items are checked against the other questionnaires: the files given, else
    # the folder's.
    partners = _readable_definitions(sorted(folder.glob("*.yaml"))) | _readable_definitions(paths)
    failed = False
    for path in paths:
        try:
            loaded = load_questionnaire(path)
            _check_against_frozen_copy(loaded.definition)
            problems = shared_item_problems(loaded, list(partners.values()))
            if problems:
                raise DefinitionError(problems)
        except DefinitionError as error:
            failed = True
            for problem in error.problems:
                click.echo(problem, err=True)
        else:
            click.echo(f"{path.name}: ok ({loaded.definition.id} {loaded.definition.version})")
    if failed:
        raise SystemExit(1)


def _readable_definitions(paths) -> dict[str, Questionnaire]:
    """The definitions of the files that load, by id (the others are reported when they
    are validated themselves)."""
    definitions = {}
    for path in paths:
        try:
            definition = load_questionnaire(path).definition
        except DefinitionError:
            continue
        definitions[definition.id] = definition
    return definitions


def _check_against_frozen_copy(definition) -> None:
    """A version already used by assessments must keep its content (when the database
    has been set up; a fresh checkout may validate files before it has one)."""
    if inspect(db.engine).has_table(QuestionnaireVersion.__tablename__):
        check_not_conflicting(db.session, definition)


def register(app: Flask) -> None:
    app.cli.add_command(backup_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(questionnaires_cli)
    app.cli.add_command(load_demo)
