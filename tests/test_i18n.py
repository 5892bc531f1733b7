"""Persian and English: catalogues complete, direction and digits right, layout mirrored."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask_babel import force_locale
from sqlalchemy import select

from app import PROJECT_ROOT
from app.extensions import db
from app.i18n import format_day, format_moment, localize_digits
from app.models import (
    Assessment,
    Customer,
    CustomerImport,
    FollowUp,
    Interaction,
    Organisation,
    User,
)
from tests.factories import UPLOAD_CSV
from tests.test_access import PAGES, fill

CATALOGUE = PROJECT_ROOT / "app" / "translations" / "{}" / "LC_MESSAGES" / "messages.po"


def source_messages() -> set[str]:
    """Every translatable string in the code and templates, as pybabel extracts them."""
    method_map = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT), method_map=method_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_ui_string_has_a_persian_translation():
    with open(str(CATALOGUE).format("fa"), "rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(source_messages() - translated)
    assert not missing, f"strings without a Persian translation: {missing}"


def test_persian_translations_keep_their_placeholders():
    with open(str(CATALOGUE).format("fa"), "rb") as handle:
        catalogue = read_po(handle)
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for message in catalogue:
        if message.id:
            assert sorted(placeholder.findall(message.id)) == sorted(
                placeholder.findall(message.string)
            ), message.id


def test_english_catalogue_exists_for_every_string():
    with open(str(CATALOGUE).format("en"), "rb") as handle:
        ids = {m.id for m in read_po(handle) if m.id}
    assert source_messages() <= ids


def switch(client, language: str, next_url: str = "/login"):
    return client.post("/language", data={"language": language, "next": next_url})


def test_page_direction_follows_the_language(client, app):
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page
    response = switch(client, "fa")
    assert response.headers["Location"] == "/login"
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in page
    assert "ورود" in page
    assert "Log in" not in page


def test_browser_language_is_the_default_for_visitors(client, app):
    page = client.get("/login", headers={"Accept-Language": "fa-IR,fa;q=0.9"}).get_data(
        as_text=True
    )
    assert 'lang="fa"' in page


def test_signed_in_users_language_is_remembered(client, auth, world):
    auth.login(world.owner)
    switch(client, "fa", "/dashboard")
    assert db.session.get(User, world.owner.id).locale == "fa"
    auth.logout()
    fresh = client.application.test_client()  # another browser: no session of its own
    fresh.post("/login", data={"email": world.owner.email, "password": "correct horse battery"})
    page = fresh.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="fa"' in page
    assert "سازمان شما" in page


def test_language_switch_refuses_foreign_redirects(client, app):
    assert switch(client, "en", "https://evil.example.com/").headers["Location"] == "/"


def test_dates_are_solar_hijri_with_persian_digits_in_persian(app):
    day = date(2026, 11, 25)
    with app.test_request_context(), force_locale("fa"):
        assert format_day(day) == "۴ آذر ۱۴۰۵"
        assert localize_digits(1234) == "۱۲۳۴"
    with app.test_request_context(), force_locale("en"):
        assert format_day(day) == "Nov 25, 2026"
        assert localize_digits(1234) == "1234"


def test_language_filters_on_constants_follow_each_request(app):
    # Jinja would run a filter on a constant once, at compile time, in whichever
    # language compiled the template first: "/ 100" on a Persian results page.
    with app.test_request_context(), force_locale("en"):
        template = app.jinja_env.from_string("{{ 100|digits }} {{ 'executive'|group }}")
        assert template.render() == "100 Executive"
    with app.test_request_context(), force_locale("fa"):
        assert template.render() == "۱۰۰ مدیر ارشد"


def test_times_are_shown_in_the_configured_zone(app, monkeypatch):
    # 20:30 UTC on 20 March 2026 is already Nowruz (1 Farvardin 1405) in Tehran.
    # Flask-Babel reads BABEL_DEFAULT_TIMEZONE once, when the app is made.
    monkeypatch.setattr(app.extensions["babel"], "default_timezone", "Asia/Tehran")
    moment = datetime(2026, 3, 20, 20, 30, tzinfo=UTC)
    with app.test_request_context(), force_locale("fa"):
        assert format_moment(moment) == "۱ فروردین ۱۴۰۵، ۰۰:۰۰"


def test_admin_dashboard_counts_in_persian_digits(client, auth, world):
    auth.login(world.admin)
    switch(client, "fa", "/dashboard")
    page = client.get("/dashboard").get_data(as_text=True)
    # The world's accounts: one administrator, two consultants, three members.
    for count in ("۱", "۲", "۳"):
        assert f'<span class="stat-value">{count}</span>' in page


LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Words that stay Latin in Persian pages: the product name's acronym, the name of the
# other language on its switch button, file formats, and the two survey scores' names
# (NPS, CSAT), which Persian texts on customer feedback also use as they are.
ALLOWED_LATIN = {
    "CRM",
    "English",
    "CSV",
    "JSON",
    "csv",
    "xlsx",
    "PDF",
    "PNG",
    "JPEG",
    "NPS",
    "CSAT",
}


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


@pytest.mark.parametrize("role", ["admin", "consultant_assigned", "owner", "anonymous"])
def test_persian_pages_have_no_untranslated_text(
    client, auth, world, assessments, tracker, library, role
):
    user = world.user(role)
    if user is not None:
        auth.login(user)
    switch(client, "fa", "/")
    # Text that users typed in (names, e-mails, sectors) is theirs, not the UI's.
    user_text = {
        value
        for row in db.session.execute(select(User.name, User.email)).all()
        + db.session.execute(select(Organisation.name, Organisation.sector)).all()
        + db.session.execute(select(Assessment.title)).all()
        + db.session.execute(
            select(Customer.name, Customer.email, Customer.phone, Customer.segment)
        ).all()
        + db.session.execute(select(Interaction.notes)).all()
        + db.session.execute(select(FollowUp.title)).all()
        + db.session.execute(select(CustomerImport.filename)).all()
        for value in row
    }
    # The uploaded file's own headers and cells, shown on the import pages.
    user_text |= set(re.split(r"[,\n]", UPLOAD_CSV))
    for path in [*PAGES, "/no-such-page"]:
        response = client.get(
            fill(path, world, assessments, tracker, library), follow_redirects=True
        )
        text = visible_text(response.get_data(as_text=True))
        for value in sorted(user_text, key=len, reverse=True):
            text = text.replace(value, " ")
        leftovers = set(LATIN_WORD.findall(text)) - ALLOWED_LATIN
        assert not leftovers, f"{role} {path}: untranslated {sorted(leftovers)}"


PHYSICAL = re.compile(
    r"(margin|padding|border)-(left|right)|(?<![-\w])(left|right)\s*:|text-align:\s*(left|right)"
    r"|float:\s*(left|right)"
)


def test_stylesheet_uses_only_logical_directions():
    css = (PROJECT_ROOT / "static" / "css" / "app.css").read_text()
    assert not PHYSICAL.findall(css), "use logical properties so RTL mirrors by itself"


def test_vazirmatn_font_ships_with_its_licence():
    fonts = PROJECT_ROOT / "static" / "fonts"
    assert (fonts / "Vazirmatn-Regular.woff2").stat().st_size > 10_000
    assert (fonts / "Vazirmatn-Bold.woff2").stat().st_size > 10_000
    assert "SIL Open Font License" in (fonts / "Vazirmatn-OFL.txt").read_text()
    css = (PROJECT_ROOT / "static" / "css" / "app.css").read_text()
    assert 'url("../fonts/Vazirmatn-Regular.woff2")' in css


def test_pages_load_nothing_from_other_sites(client, auth, world, assessments, tracker, library):
    auth.login(world.admin)
    for path in PAGES:
        response = client.get(fill(path, world, assessments, tracker, library))
        page = response.get_data(as_text=True)
        assert '="None"' not in page, f"{path}: an attribute rendered from a missing value"
        assert not re.search(r'(src|href)="(https?:)?//', page), path
    css = Path(PROJECT_ROOT / "static" / "css" / "app.css").read_text()
    assert "http" not in css
