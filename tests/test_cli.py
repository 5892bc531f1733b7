"""The command-line tools."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app import jobs
from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.i18n import to_latin_digits
from app.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    ConsultantAssignment,
    LibraryQuestionnaire,
    Membership,
    Organisation,
    Respondent,
    StaffRole,
    User,
)
from tests.factories import PASSWORD
from tests.test_home import text_of


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_users_create_makes_an_admin_who_can_log_in(runner, auth, app):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Boss@Example.com",
            "--name",
            "Boss",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created admin boss@example.com." in result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.com"))
    assert user.staff_role == StaffRole.ADMIN
    assert auth.login(user).headers["Location"] == "/dashboard"


def test_users_create_refuses_duplicates_and_short_passwords(runner, app):
    args = ["users", "create", "--email", "a@example.com", "--name", "A", "--role", "consultant"]
    assert runner.invoke(args=[*args, "--password", "short"]).exit_code != 0
    assert runner.invoke(args=[*args, "--password", PASSWORD]).exit_code == 0
    result = runner.invoke(args=[*args, "--password", PASSWORD])
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert count(User) == 1


def test_users_list(runner, app):
    runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "c@example.com",
            "--name",
            "C",
            "--role",
            "consultant",
            "--password",
            PASSWORD,
        ]
    )
    result = runner.invoke(args=["users", "list"])
    assert "c@example.com\tconsultant\tactive\tC" in result.output


def test_demo_loads_once_and_prints_the_logins(runner, client, auth, app, monkeypatch):
    # As in development, where published reports are rendered ahead: not by the command,
    # whose own threads would be cut off when it ends.
    monkeypatch.setitem(app.config, "REPORTS_RENDER_AHEAD", True)
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    overview = jobs.overview()
    assert (overview.waiting, overview.scheduled, overview.running) == (0, 0, 0)
    assert DEMO_PASSWORD in first.output
    assert "admin@demo.example.com" in first.output
    models = (
        User,
        Organisation,
        Membership,
        ConsultantAssignment,
        Assessment,
        Respondent,
        Answer,
        LibraryQuestionnaire,
    )
    counts = [count(m) for m in models]
    # Beside the three client organisations, six peers share their results in the
    # benchmarks, with two respondents in each of their nine assessments.
    assert counts[:6] == [9, 9, 6, 9, 15, 67]
    assert counts[6] > 1500  # a dozen respondents each, most of them finished
    assert counts[7] == 1  # the library is not empty: a consultant's own, published
    own = db.session.scalar(select(LibraryQuestionnaire))
    assert own.owner.email == "reza.karimi@demo.example.com"
    assert own.key == "reza-supporting-conditions"

    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert [count(m) for m in models] == counts
    statuses = dict(db.session.execute(select(Assessment.title, Assessment.status)).all())
    assert set(statuses.values()) == {
        AssessmentStatus.PUBLISHED,
        AssessmentStatus.OPEN,
        AssessmentStatus.DRAFT,
    }

    organisations = {o.name: o for o in db.session.scalars(select(Organisation))}
    assert organisations["شرکت پخش سپیدار"].default_locale == "fa"
    assert organisations["Northwind Outfitters"].default_locale == "en"
    owner = db.session.scalar(select(User).where(User.email == "maryam.ahmadi@demo.example.com"))
    assert auth.login(owner, DEMO_PASSWORD).headers["Location"] == "/dashboard"
    auth.logout()
    # Every home page has work on it: the owner's published assessment has action items
    # with owners and due dates; a manager has a questionnaire half answered, invited at
    # their account's address, and follow-ups due.
    people = {u.email: u for u in db.session.scalars(select(User))}
    auth.login(people["maryam.ahmadi@demo.example.com"], DEMO_PASSWORD)
    owner = client.get("/dashboard").get_data(as_text=True)
    assert "ارزیابی آمادگی CRM ۱۴۰۵" in text_of(owner)
    assert owner.count("/done") >= 4  # open action items and follow-ups to mark done
    # Sepidar shares its results, and six peers of its sector and size do too: its results
    # show where it stands among them, and its report too.
    sepidar = organisations["شرکت پخش سپیدار"]
    assert sepidar.benchmark_consent is True
    latest = db.session.scalar(
        select(Assessment.id).where(
            Assessment.title == "ارزیابی آمادگی CRM ۱۴۰۵", Assessment.organisation_id == sepidar.id
        )
    )
    results = text_of(client.get(f"/assessments/{latest}/results").get_data(as_text=True))
    assert "در مقایسه با ۶ سازمان دیگر: سازمان‌های هم‌حوزه و هم‌اندازه." in results
    assert "کمتر از" not in results.split("محک‌زنی")[-1]
    auth.logout()
    auth.login(people["reza.karimi@demo.example.com"], DEMO_PASSWORD)
    portfolio = text_of(client.get("/portfolio").get_data(as_text=True))
    assert portfolio.count("ارزیابی آمادگی CRM ۱۴۰۴") >= 4  # clients over time
    auth.logout()
    auth.login(people["ali.rezaei@demo.example.com"], DEMO_PASSWORD)
    manager = client.get("/dashboard").get_data(as_text=True)
    respondent = db.session.scalar(
        select(Respondent).where(Respondent.user_id == people["ali.rezaei@demo.example.com"].id)
    )
    assert f'href="/answer/{respondent.id}"' in manager
    answered = re.search(r"(\d+) of (\d+) questions answered", manager) or re.search(
        r"به ([۰-۹]+) پرسش از ([۰-۹]+) پرسش", manager
    )
    done, total = (int(to_latin_digits(number)) for number in answered.groups())
    assert 0.3 < done / total < 0.7
    assert "Your action-plan items" in manager or "موارد برنامهٔ اقدام شما" in manager
    assert manager.count("/tracker/follow-ups/") >= 2  # follow-ups due, to mark done


def test_demo_is_refused_where_not_allowed(runner, app, monkeypatch):
    monkeypatch.setitem(app.config, "ALLOW_DEMO_DATA", False)
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0
    assert "development only" in result.output
    assert count(User) == 0
