"""Report branding per consultant workspace: a consultant sets a logo and accent colour on
their own page; the reports of the assessments they create carry it, in the preview and in
the PDF, unless the organisation's own branding overrides it; and the cached PDF follows.

The PDF is read back with pypdf: the cover's fill colours (the accent band) and the colour
of its one image (each logo here is a plain block of one colour) tell whose branding it has.
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from app.assessments import services
from app.assessments.services import Actor
from app.extensions import db
from app.models import AssessmentStatus, ConsultantBranding, ReportCache, StaffRole
from app.models.reports import DEFAULT_ACCENT
from app.reports.cache import cache_key
from tests import factories
from tests.conftest import csrf_token_from
from tests.jobs import download_report

CONSULTANT_COLOUR = "#2e86c1"
ORGANISATION_COLOUR = "#8e44ad"


@pytest.fixture
def report(world):
    """An assessment the assigned consultant created, of one questionnaire, answered by
    three respondents; the organisation has no branding of its own."""
    return factories.answered_assessment(
        world.organisation,
        world.consultant_assigned,
        respondents=3,
        questionnaires=[factories.supporting_conditions()],
    )


def logo_in(colour: str) -> bytes:
    return factories.png_logo(colour=colour)


def download(client, assessment):
    return download_report(client, assessment, "en")


def cover(pdf: bytes):
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf)).pages[0]


def fill_colours(page) -> set[str]:
    """The colours the page fills shapes and text with (PDF ``r g b rg``), as #rrggbb."""
    found = re.findall(rb"([\d.]+) ([\d.]+) ([\d.]+) rg", page.get_contents().get_data())
    return {"#" + "".join(f"{round(float(c) * 255):02x}" for c in rgb) for rgb in found}


def logo_colour(page) -> str:
    """The colour of the page's one image."""
    (image,) = page.images
    red, green, blue = image.image.convert("RGB").getpixel((1, 1))
    return f"#{red:02x}{green:02x}{blue:02x}"


def preview(client, assessment) -> str:
    return client.get(f"/assessments/{assessment.id}/report?lang=en").get_data(as_text=True)


def save_workspace_branding(client, **data):
    return client.post("/account/branding", data=data, content_type="multipart/form-data")


def test_a_consultant_sets_their_branding_on_their_own_page(client, csrf_app, world):
    login_page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={
            "email": world.consultant_assigned.email,
            "password": factories.PASSWORD,
            "csrf_token": csrf_token_from(login_page),
        },
    )
    page = client.get("/account/branding").get_data(as_text=True)
    assert "An organisation's own branding wins over yours" in page
    assert f'value="{DEFAULT_ACCENT}"' in page
    response = save_workspace_branding(
        client,
        csrf_token=csrf_token_from(page),
        logo=(io.BytesIO(logo_in(CONSULTANT_COLOUR)), "logo.png"),
        accent_colour="#2E86C1",
    )
    assert response.headers["Location"] == "/account/branding"
    page = client.get("/account/branding").get_data(as_text=True)
    assert "Report branding saved." in page
    assert f'value="{CONSULTANT_COLOUR}"' in page
    branding = db.session.scalar(select(ConsultantBranding))
    assert branding.user_id == world.consultant_assigned.id
    logo_url = f"/account/branding/logo?v={branding.logo_hash}"
    assert f'src="{logo_url}"' in page
    served = client.get(logo_url)
    assert (served.mimetype, served.data) == ("image/png", logo_in(CONSULTANT_COLOUR))
    # Removing the logo keeps the colour.
    save_workspace_branding(
        client,
        csrf_token=csrf_token_from(page),
        remove_logo="y",
        accent_colour=CONSULTANT_COLOUR,
    )
    db.session.refresh(branding)
    assert (branding.logo, branding.logo_hash) == (None, "")
    assert branding.accent_colour == CONSULTANT_COLOUR
    assert client.get(logo_url).status_code == 404


def test_only_consultants_see_the_link_to_their_branding(client, auth, world):
    for user, shown in ((world.consultant_unassigned, True), (world.admin, False)):
        auth.login(user)
        page = client.get("/dashboard").get_data(as_text=True)
        assert ('href="/account/branding"' in page) is shown
        auth.logout()


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("upload", "colour", "message"),
    [
        (gif, CONSULTANT_COLOUR, "Upload a PNG or JPEG image."),
        (lambda: b"%PDF-1.7 not an image", CONSULTANT_COLOUR, "Upload a PNG or JPEG image."),
        (lambda: b"\x89PNG\r\n\x1a\n truncated", CONSULTANT_COLOUR, "Upload a PNG or JPEG image."),
        (
            lambda: factories.png_logo(width=10, height=4001),
            CONSULTANT_COLOUR,
            "The logo may be at most 4000 pixels wide and high.",
        ),
        (
            lambda: logo_in(CONSULTANT_COLOUR),
            "blue",
            "Give the colour as # and six hexadecimal digits, such as #0b5c8a.",
        ),
    ],
    ids=["gif", "not-an-image", "truncated-png", "too-high", "bad-colour"],
)
def test_bad_workspace_branding_is_refused_and_changes_nothing(
    client, auth, world, upload, colour, message
):
    factories.brand(world.consultant_assigned, logo=logo_in("#000000"), colour="#000000")
    auth.login(world.consultant_assigned)
    response = save_workspace_branding(
        client, logo=(io.BytesIO(upload()), "logo.png"), accent_colour=colour
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert f'value="{colour}"' in page  # what was typed stays in the form
    branding = db.session.scalar(select(ConsultantBranding))
    assert (branding.accent_colour, branding.logo) == ("#000000", logo_in("#000000"))


def test_a_logo_over_the_size_limit_is_refused_on_the_workspace_page(
    client, auth, world, monkeypatch
):
    # A real 1 MB upload would be spooled by the test client to a file it never closes;
    # a lower limit tests the same path.
    monkeypatch.setattr("app.reports.forms.MAX_LOGO_BYTES", 100)
    auth.login(world.consultant_assigned)
    response = save_workspace_branding(
        client,
        logo=(io.BytesIO(logo_in(CONSULTANT_COLOUR)), "logo.png"),
        accent_colour=CONSULTANT_COLOUR,
    )
    assert "The logo may be at most 1 MB." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ConsultantBranding)) == 0


def test_a_report_carries_the_branding_of_the_consultant_who_created_it(
    client, auth, world, report
):
    branding = factories.brand(
        world.consultant_assigned, logo=logo_in(CONSULTANT_COLOUR), colour=CONSULTANT_COLOUR
    )
    # The organisation's owner reads the report once published, and sees the same.
    services.change_status(
        report, AssessmentStatus.PUBLISHED, Actor.of_user(world.consultant_assigned)
    )
    db.session.commit()
    auth.login(world.owner)
    page = preview(client, report)
    assert f"--accent:{CONSULTANT_COLOUR}" in page
    logo_url = f"/assessments/{report.id}/report/logo?v={branding.logo_hash}"
    assert f'src="{logo_url}"' in page
    assert client.get(logo_url).data == logo_in(CONSULTANT_COLOUR)
    pdf = cover(download(client, report).data)
    assert CONSULTANT_COLOUR in fill_colours(pdf)
    assert logo_colour(pdf) == CONSULTANT_COLOUR


def test_the_organisations_branding_wins_over_the_consultants(client, auth, world, report):
    factories.brand(
        world.consultant_assigned, logo=logo_in(CONSULTANT_COLOUR), colour=CONSULTANT_COLOUR
    )
    organisation = factories.brand(
        world.organisation, logo=logo_in(ORGANISATION_COLOUR), colour=ORGANISATION_COLOUR
    )
    auth.login(world.consultant_assigned)
    page = preview(client, report)
    assert f"--accent:{ORGANISATION_COLOUR}" in page
    assert f"report/logo?v={organisation.logo_hash}" in page
    pdf = cover(download(client, report).data)
    assert CONSULTANT_COLOUR not in fill_colours(pdf)
    assert ORGANISATION_COLOUR in fill_colours(pdf)
    assert logo_colour(pdf) == ORGANISATION_COLOUR


def test_removing_the_organisations_branding_brings_back_the_consultants(
    client, auth, world, report
):
    factories.brand(world.consultant_assigned, colour=CONSULTANT_COLOUR)
    organisation = world.organisation
    factories.brand(organisation, logo=logo_in(ORGANISATION_COLOUR), colour=ORGANISATION_COLOUR)
    auth.login(world.consultant_assigned)
    branding_page = client.get(f"/organisations/{organisation.id}/branding").get_data(as_text=True)
    assert "Remove this organisation's branding" in branding_page
    response = client.post(f"/organisations/{organisation.id}/branding/clear")
    assert response.headers["Location"].endswith(f"/organisations/{organisation.id}/branding")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This organisation&#39;s own branding is removed." in page
    assert "Nothing is saved here yet" in page
    assert f"--accent:{CONSULTANT_COLOUR}" in preview(client, report)
    assert "report/logo" not in preview(client, report)


def test_an_organisation_without_a_logo_shows_the_consultants_logo_in_its_colour(
    client, auth, world, report
):
    consultant = factories.brand(
        world.consultant_assigned, logo=logo_in(CONSULTANT_COLOUR), colour=CONSULTANT_COLOUR
    )
    factories.brand(world.organisation, colour=ORGANISATION_COLOUR)
    auth.login(world.consultant_assigned)
    page = preview(client, report)
    assert f"--accent:{ORGANISATION_COLOUR}" in page
    logo_url = f"/assessments/{report.id}/report/logo?v={consultant.logo_hash}"
    assert f'src="{logo_url}"' in page
    assert client.get(logo_url).data == logo_in(CONSULTANT_COLOUR)


def test_without_a_consultant_creator_the_report_has_the_default_branding(
    client, auth, world, report
):
    factories.brand(
        world.consultant_assigned, logo=logo_in(CONSULTANT_COLOUR), colour=CONSULTANT_COLOUR
    )
    world.consultant_assigned.staff_role = StaffRole.ADMIN  # no longer a consultant
    db.session.commit()
    auth.login(world.admin)
    page = preview(client, report)
    assert f"--accent:{DEFAULT_ACCENT}" in page
    assert "cover-logo" not in page
    assert client.get(f"/assessments/{report.id}/report/logo").status_code == 404


def test_changing_the_consultants_branding_renders_their_reports_anew(client, auth, world, report):
    factories.brand(world.consultant_assigned, colour=CONSULTANT_COLOUR)
    auth.login(world.consultant_assigned)
    first = download(client, report).data
    assert CONSULTANT_COLOUR in fill_colours(cover(first))
    # Mark the stored copy: a download that shows the mark was not rendered.
    marked = b"%PDF-1.7 served from the cache"
    db.session.scalar(select(ReportCache)).pdf = marked
    db.session.commit()
    assert download(client, report).data == marked
    save_workspace_branding(
        client,
        logo=(io.BytesIO(logo_in(CONSULTANT_COLOUR)), "logo.png"),
        accent_colour="#117a65",
    )
    fresh = cover(download(client, report).data)
    assert "#117a65" in fill_colours(fresh)
    assert logo_colour(fresh) == CONSULTANT_COLOUR


def test_the_cache_key_follows_only_the_branding_the_report_shows(app, world, report):
    consultant = factories.brand(world.consultant_assigned, colour=CONSULTANT_COLOUR)
    other = factories.answered_assessment(
        world.other_organisation,
        world.consultant_unassigned,
        respondents=1,
        questionnaires=[factories.supporting_conditions()],
    )
    factories.brand(world.other_organisation, logo=logo_in("#000000"), colour="#000000")
    keys = {assessment: cache_key(assessment, "en") for assessment in (report, other)}

    # The consultant who created the other organisation's assessment changes their
    # branding: that organisation overrides it, so its key stays.
    factories.brand(world.consultant_unassigned, logo=logo_in(CONSULTANT_COLOUR))
    assert cache_key(other, "en") == keys[other]
    assert cache_key(report, "en") == keys[report]
    # The creator of the first report changes their colour, then adds a logo.
    consultant.accent_colour = "#117a65"
    db.session.commit()
    recoloured = cache_key(report, "en")
    assert recoloured != keys[report]
    consultant.logo_hash = "0" * 64
    db.session.commit()
    assert cache_key(report, "en") not in (keys[report], recoloured)
    assert cache_key(other, "en") == keys[other]
