"""Input no page expects gets a clear page in the reader's language, never a 500, and
changes nothing: ids no column can hold, stray or out-of-range query values, characters
no one types, images that only claim to be huge."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import Assessment, ConsultantBranding, Feedback

# Past 64 bits (the SQLite driver's OverflowError) and just past 32 (PostgreSQL's integer).
HUGE_IDS = ("99999999999999999999", "2147483648")
NOT_FOUND = {"en": "Page not found", "fa": "صفحه پیدا نشد"}
BAD_REQUEST = {"en": "Bad request", "fa": "درخواست نامعتبر"}


def sign_in(auth, user, language: str = "en") -> None:
    """Sign in; signed-in pages are in the language of the user's account."""
    user.locale = language
    db.session.commit()
    auth.login(user)


@pytest.fixture
def failures_shown(app, monkeypatch):
    """Errors become the 500 page, as in production, rather than failing the test."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


def every_path_with_an_id(app, huge: str) -> list[tuple[str, str]]:
    """(method, path) for every rule of the URL map, each id replaced by ``huge``."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<int:{argument}>", huge).replace(f"<{argument}>", "x")
        paths += [(method, path) for method in ("GET", "POST") if method in rule.methods]
    return paths


@pytest.mark.parametrize("huge", HUGE_IDS)
@pytest.mark.parametrize("who", [None, "admin"])
def test_an_id_no_column_can_hold_is_not_found_anywhere(
    client, auth, world, failures_shown, huge, who
):
    if who:
        auth.login(getattr(world, who))
    for method, path in every_path_with_an_id(client.application, huge):
        response = client.open(path, method=method)
        assert response.status_code == 404, (method, path)


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_not_found_page_for_a_huge_id_is_in_the_readers_language(client, app, language):
    response = client.get(f"/organisations/{HUGE_IDS[0]}", headers={"Accept-Language": language})
    assert response.status_code == 404
    assert NOT_FOUND[language] in response.get_data(as_text=True)


def test_a_huge_paging_key_shows_the_first_page(client, auth, world, tracker, failures_shown):
    auth.login(world.owner)
    for key in ("after", "before"):
        response = client.get(
            f"/organisations/{world.organisation.id}/tracker/", query_string={key: HUGE_IDS[0]}
        )
        assert response.status_code == 200
        assert "Roya Tehrani" in response.get_data(as_text=True)


def test_a_stray_organisation_in_the_tasks_query_is_ignored(
    client, auth, world, tracker, failures_shown
):
    """The query string named the path's own argument; the list is still this tracker's."""
    auth.login(world.owner)
    tasks = f"/organisations/{world.organisation.id}/tracker/tasks"
    response = client.get(
        tasks, query_string={"organisation_id": world.other_organisation.id, "who": "all"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert tracker.follow_up.title in page
    assert f'name="next" value="{tasks}?who=all"' in page


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "The period must end by"), ("fa", "دوره باید حداکثر تا")],
)
def test_a_period_ending_past_the_calendar_is_refused(
    client, auth, world, tracker, failures_shown, language, message
):
    sign_in(auth, world.owner, language)
    response = client.get(
        f"/organisations/{world.organisation.id}/tracker/metrics",
        query_string={"period": "custom", "start": "2026-01-01", "end": "9999-12-31"},
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_nul_character_is_refused(client, auth, world, failures_shown, language):
    sign_in(auth, world.admin, language)
    response = client.get("/organisations/", query_string={"q": "a\x00b"})
    assert response.status_code == 400
    assert BAD_REQUEST[language] in response.get_data(as_text=True)
    name = world.organisation.name
    response = client.post(
        f"/organisations/{world.organisation.id}/edit",
        data={"name": "Evil\x00 Corp", "size": "small", "default_locale": "en"},
    )
    assert response.status_code == 400
    db.session.refresh(world.organisation)
    assert world.organisation.name == name


def test_a_score_in_other_digits_is_refused_beside_the_field(
    client, auth, world, tracker, failures_shown
):
    auth.login(world.owner)
    response = client.post(
        f"/organisations/{world.organisation.id}/tracker/customers/{tracker.customer.id}/feedback",
        data={"feedback-kind": "nps", "feedback-score": "²", "feedback-received_on": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "Enter a whole number from 0 to 10." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Feedback.id))) == 0


def test_an_action_plan_position_in_other_digits_is_a_bad_request(
    client, auth, world, assessments, failures_shown
):
    auth.login(world.consultant_assigned)
    response = client.post(
        f"/assessments/{assessments.published.id}/actions",
        data={"questionnaire": "supporting-conditions", "dimension": "x", "level": "x"}
        | {"position": "²"},
    )
    assert response.status_code == 400


def test_a_deadline_past_the_calendar_is_refused_beside_the_field(
    client, auth, world, failures_shown
):
    auth.login(world.consultant_assigned)
    response = client.post(
        f"/organisations/{world.organisation.id}/assessments/new",
        data={
            "title": "Far away",
            "questionnaires": ["supporting-conditions"],
            "groups": ["manager"],
            "deadline": "9999-12-31",
        },
    )
    assert response.status_code == 200
    assert "Choose a deadline within five years from today." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Assessment.id))) == 0


def png_declaring(width: int, height: int) -> bytes:
    """A few hundred bytes of PNG whose header declares a ``width`` x ``height`` image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(16)))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [30000, 10000])  # past Pillow's limit, and past its warning
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The logo may be at most 4000 pixels wide and high."),
        ("fa", "پهنا و بلندی نشان‌واره حداکثر ۴۰۰۰ پیکسل است."),
    ],
)
def test_a_decompression_bomb_logo_is_refused_beside_the_field(
    client, auth, world, failures_shown, side, language, message
):
    sign_in(auth, world.consultant_assigned, language)
    response = client.post(
        "/account/branding",
        data={"logo": (io.BytesIO(png_declaring(side, side)), "logo.png")}
        | {"accent_colour": "#0b5c8a"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ConsultantBranding)) == 0


def test_the_crafted_header_is_read_as_a_png():
    """Guards the test above: Pillow takes the few bytes for the image they declare."""
    with Image.open(io.BytesIO(png_declaring(12, 34))) as image:
        assert (image.format, image.size) == ("PNG", (12, 34))
