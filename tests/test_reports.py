"""The readiness report: a real PDF read back with pypdf, in both languages; chart labels
extracted in logical order; the HTML preview; the cache; branding; action-plan owners;
escaping, the URL fetcher and the command line.

pypdf reads Persian words in logical order but drops the zero-width non-joiner (U+200C),
and it puts a space that ends a right-to-left run at the run's other end: text is compared
with the ZWNJ removed and without whitespace, which still checks every letter's order.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import func, select
from weasyprint import HTML
from wtforms import ValidationError

from app import PROJECT_ROOT
from app.assessments import scores, services
from app.assessments.services import Actor
from app.charts import Series, bar_figure, cycle_figure, radar_figure
from app.extensions import db
from app.models import (
    ActionAssignment,
    Answer,
    AssessmentStatus,
    AuditEvent,
    OrganisationBranding,
    ReportCache,
    Respondent,
)
from app.reports.cache import cache_key
from app.reports.forms import check_logo
from app.reports.kept_layouts import keep_text_layouts_for_drawing
from app.reports.render import (
    ASSET_ORIGIN,
    RENDERER_FILES,
    AssetRefused,
    Logo,
    ReportFetcher,
    warm_up_renderer,
)
from app.reports.rtl_lines import lay_out_right_to_left_lines_once
from tests import factories
from tests.jobs import download_report

ZWNJ = "\u200c"


def squeeze(text: str) -> str:
    """Text as pypdf reads it back, for comparing: no ZWNJ, no whitespace."""
    return re.sub(r"\s+", "", text.replace(ZWNJ, ""))


def pdf_text(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def report(world):
    """An assessment of all three questionnaires, six respondents in three groups."""
    assessment = factories.answered_assessment(
        world.organisation, world.consultant_assigned, respondents=6
    )
    return assessment


def test_english_pdf_is_a_paged_report_with_its_contents(client, auth, world, report):
    auth.login(world.consultant_assigned)
    response = download_report(client, report, "en")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="crm-readiness-report-{report.id}-en.pdf"'
    )
    pages = pdf_text(response.data)
    stored = db.session.scalar(select(ReportCache.pages).where(ReportCache.language == "en"))
    assert len(pages) == stored > 10
    # Every page after the cover says "Page n of N" with the right numbers.
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {len(pages)}" in text
    # The table of contents sends each section to the page that starts with it.
    contents = dict(re.findall(r"^(\S[^.\n]*?) ?\.{3,} ?(\d+)$", pages[1], flags=re.M))
    for title in ("Executive summary", "Method", "Action plan", "Appendix: every question"):
        page = pages[int(contents[title]) - 1]
        assert title in page.split("\n")[:3], (title, page[:200])
    everything = "\n".join(pages)
    for text in (
        "Acme Trading",
        "Readiness 2026",
        "Carl Consultant",
        "Overall readiness",
        "Gartner's eight building blocks of CRM",
        "The five supporting conditions of CRM",
        "The CRM process cycle",
        "Scores by respondent group",
        "Executive",
    ):
        assert text in everything, text
    # In the appendix, each comment is a bulleted line after its question's tags, who wrote
    # it first (in groups this small, no group is named).
    assert re.search(r"\ndisagreement\n•\s+A respondent: \S", everything)


def test_persian_pdf_is_right_to_left_with_persian_digits(client, auth, world, report):
    auth.login(world.consultant_assigned)
    response = download_report(client, report, "fa")
    pages = pdf_text(response.data)
    everything = squeeze("\n".join(pages))
    for text in (
        "گزارش آمادگی CRM",
        "خلاصهٔ مدیریتی",
        "برنامهٔ اقدام",
        "پیوست: همهٔ پرسش‌ها",
        "امتیازها به تفکیک گروه پاسخ‌دهندگان",
        "مدیر ارشد",  # the executive group
        "داده‌های مشتری میان فروش و انبار پراکنده است.",  # a respondent's comment
    ):
        assert squeeze(text) in everything, text
    # Numbers, dates and page numbers are written in Persian digits (the title is the
    # consultant's own text).
    assert not re.search("[0-9]", everything.replace(squeeze(report.title), ""))
    assert re.search("[۰-۹]", everything)


def test_chart_labels_extract_in_logical_order_from_the_whole_report(app, world, report):
    """Every chart's labels (the radar, the bars and the cycle) are real text in the
    PDF, in the order they were written, mixed Persian and Latin ones included."""
    from app.reports.pdf import report_pdf

    data = report_pdf(report, "fa").data
    everything = squeeze("\n".join(pdf_text(data)))
    labels = [
        dimension.title.fa
        for loaded in factories.all_questionnaires()
        for dimension in loaded.definition.dimensions
    ]
    assert "چشم‌انداز CRM" in labels  # mixed Persian and Latin
    for label in [*labels, "این ارزیابی", "هدف"]:
        assert squeeze(label) in everything, label


# Not among them: a word ending in «هٔ» (heh with hamza above). WeasyPrint raises the
# hamza with a text rise, which pypdf takes for a new line, so it reads «تجربهٔ» as
# «هٔتجرب»: a limit of the extractor, as the lam-alef ligature is for pdftotext.
FA_LABELS = ["چشم‌انداز CRM", "راهبرد CRM", "همکاری سازمانی", "اطلاعات CRM"]


@pytest.mark.parametrize("kind", ["radar", "bar", "cycle"])
def test_each_chart_kind_puts_its_labels_into_the_pdf_as_written(app, kind):
    """A figure alone in a PDF: its text is its labels, one per line, each as written
    (the lam-alef ligature of «اطلاعات» and the Latin «CRM» included)."""
    series = [Series("این ارزیابی", [20, 45.5, 70, 90])]
    common = {"rtl": True, "title": "بلوک‌ها", "no_data_label": "داده کافی نیست"}
    if kind == "radar":
        figure = radar_figure(FA_LABELS, series, **common)
    elif kind == "bar":
        figure = bar_figure(FA_LABELS, series, **common)
    else:
        figure = cycle_figure(FA_LABELS, [20, 45.5, 70, 90], **common)
    html = (
        f'<html lang="fa" dir="rtl"><head><link rel="stylesheet" href="static/css/report.css">'
        f"<style>{figure.css}</style></head><body>{figure.html}</body></html>"
    )
    fetcher = ReportFetcher(PROJECT_ROOT / "static", {})
    data = HTML(string=html, base_url=f"{ASSET_ORIGIN}/", url_fetcher=fetcher).write_pdf()
    # Long labels wrap onto two lines, so the labels are looked for in the whole text.
    text = squeeze(pdf_text(data)[0])
    for label in FA_LABELS:
        assert squeeze(label) in text, (label, text)
    assert "<text" not in str(figure.html)  # no SVG text for WeasyPrint to draw unshaped


def test_preview_is_the_same_report_as_an_html_page(client, auth, world, report):
    auth.login(world.consultant_assigned)
    response = client.get(f"/assessments/{report.id}/report?lang=fa")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="fa" dir="rtl">' in page
    for heading in ("خلاصهٔ مدیریتی", "روش", "برنامهٔ اقدام", "پیوست: همهٔ پرسش‌ها"):
        assert f">{heading}</h2>" in page
    assert 'class="chart-html chart-radar"' in page
    assert 'class="chart-html chart-cycle"' in page
    # The one <style> block is allowed by its hash; nothing else inline is.
    style = re.search(r"<style>(.*?)</style>", page, flags=re.S).group(1)
    from app.reports.render import style_hash

    policy = response.headers["Content-Security-Policy"]
    assert f"style-src 'self' {style_hash(style)}" in policy
    assert "script-src 'self';" in policy
    assert ' style="' not in page
    english = client.get(f"/assessments/{report.id}/report?lang=en").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in english
    assert ">Executive summary</h2>" in english
    assert client.get(f"/assessments/{report.id}/report?lang=de").status_code == 404


def test_a_cached_download_is_served_without_rendering_until_an_answer_changes(
    client, auth, world, report
):
    auth.login(world.consultant_assigned)
    first = download_report(client, report, "en").data
    # Mark the stored copy: if the next download shows the mark, nothing was rendered.
    marked = b"%PDF-1.7 served from the cache"
    row = db.session.scalar(select(ReportCache))
    row.pdf = marked
    db.session.commit()
    assert download_report(client, report, "en").data == marked
    # One answer changes: the key changes, the PDF is rendered anew and replaces the old.
    answer = db.session.scalar(
        select(Answer).join(Respondent).where(Respondent.assessment_id == report.id)
    )
    answer.value = 1 if answer.value != 1 else 5
    db.session.commit()
    fresh = download_report(client, report, "en").data
    assert fresh not in (marked, b"")
    assert pdf_text(fresh)[0] == pdf_text(first)[0]  # the same cover
    rows = db.session.scalars(select(ReportCache)).all()
    assert len(rows) == 1
    assert rows[0].pdf == fresh


def test_the_cache_key_covers_everything_the_report_shows(app, world, report, monkeypatch):
    actor = Actor.of_user(world.consultant_assigned)
    keys = [cache_key(report, "fa"), cache_key(report, "en")]

    def changed(change) -> None:
        change()
        db.session.commit()
        keys.append(cache_key(report, "fa"))

    answer = db.session.scalar(
        select(Answer).join(Respondent).where(Respondent.assessment_id == report.id)
    )
    changed(lambda: setattr(answer, "comment", "A new comment"))
    changed(lambda: setattr(answer, "not_applicable", not answer.not_applicable))
    definition = scores.definitions(report)[0]
    item = definition.dimensions[0].items[0]
    changed(lambda: services.set_consensus(report, definition.id, item.id, 5, "", actor))
    dimension = definition.dimensions[0].id
    changed(lambda: services.set_target(report, definition.id, dimension, "leading", actor))
    changed(lambda: services.set_assessment_target(report, "established", actor))
    changed(lambda: monkeypatch.setitem(app.config, "MIN_GROUP_SIZE", 2))
    changed(lambda: setattr(report, "observations", "Leadership is not yet involved."))
    changed(lambda: factories.brand(world.organisation, colour="#123456"))
    branding = db.session.scalar(select(OrganisationBranding))
    changed(lambda: setattr(branding, "logo_hash", "0" * 64))
    changed(
        lambda: db.session.add(
            ActionAssignment(
                assessment_id=report.id,
                questionnaire_key=definition.id,
                dimension_id=dimension,
                level="initial",
                position=0,
                owner="Sales director",
            )
        )
    )
    changed(lambda: services.change_status(report, AssessmentStatus.PUBLISHED, actor))
    assert len(set(keys)) == len(keys)
    assert cache_key(report, "fa") == keys[-1]  # and nothing else moves it


def test_every_template_of_the_report_is_in_its_cache_key():
    """A change to any template the report is drawn from renders every report anew: the
    benchmarks' table was once left out, so a deploy that changed it kept serving PDFs
    drawn with the old one."""
    found, todo = set(), ["reports/report.html"]
    while todo:
        name = todo.pop()
        found.add(f"templates/{name}")
        source = (PROJECT_ROOT / "templates" / name).read_text()
        todo += re.findall(r'{%-?\s*(?:from|import|include|extends)\s+"([^"]+)"', source)
    assert len(found) >= 3  # the report, the benchmarks' table, the tracker's evidence
    assert found <= set(RENDERER_FILES)
    assert all((PROJECT_ROOT / name).is_file() for name in RENDERER_FILES)


def test_the_report_carries_the_tracker_evidence_and_follows_the_tracker(
    client, auth, world, report, tracker
):
    auth.login(world.consultant_assigned)
    key = cache_key(report, "en")
    pages = pdf_text(download_report(client, report, "en").data)
    contents = squeeze(pages[1])
    assert squeeze("Tracker evidence") in contents  # listed in the contents
    evidence = squeeze("".join(pages))
    assert squeeze("1. Gather information") in evidence
    assert squeeze("4. Evaluate customer responses") in evidence
    factories.add_customer(world.organisation, "Kian Rad", tracker.stage("Lead"))
    assert cache_key(report, "en") != key  # a new customer: the PDF is made anew


def test_owners_read_the_report_only_once_published(client, auth, world, report):
    auth.login(world.owner)
    assert download_report(client, report, "en").status_code == 403
    services.change_status(report, AssessmentStatus.PUBLISHED, Actor.of_user(world.admin))
    db.session.commit()
    assert download_report(client, report, "en").status_code == 200
    assert client.get(f"/assessments/{report.id}/report").status_code == 200


def test_user_text_is_escaped_in_the_preview_and_written_as_text_in_the_pdf(
    client, auth, world, report
):
    world.organisation.name = "<script>alert(1)</script> Acme"
    report.observations = '<img src="file:///etc/passwd">'
    db.session.commit()
    auth.login(world.consultant_assigned)
    page = client.get(f"/assessments/{report.id}/report?lang=en").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<img src="file:' not in page
    text = "\n".join(pdf_text(download_report(client, report, "en").data))
    assert "<script>alert(1)</script> Acme" in text
    assert '<img src="file:///etc/passwd">' in text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/logo.png",
        "https://example.com/static/css/report.css",
        "data:text/plain,hello",
        f"{ASSET_ORIGIN}/static/../config.py",
        f"{ASSET_ORIGIN}/static/%2e%2e/config.py",
        f"{ASSET_ORIGIN}/static/css/",
        f"{ASSET_ORIGIN}/logos/999",
        f"{ASSET_ORIGIN}/app/__init__.py",
    ],
)
def test_the_fetcher_refuses_anything_but_the_reports_own_files(url):
    fetcher = ReportFetcher(PROJECT_ROOT / "static", {"/logos/1": Logo(b"png", "image/png")})
    with pytest.raises(AssetRefused):
        fetcher.fetch(url)


def test_the_fetcher_serves_static_files_and_the_logo():
    fetcher = ReportFetcher(PROJECT_ROOT / "static", {"/logos/1": Logo(b"png", "image/png")})
    css = fetcher.fetch(f"{ASSET_ORIGIN}/static/css/report.css")
    assert b"@page" in css.read()
    assert css.content_type == "text/css"
    logo = fetcher.fetch(f"{ASSET_ORIGIN}/logos/1")
    assert (logo.read(), logo.content_type) == (b"png", "image/png")


def test_branding_shows_the_logo_and_accent_in_the_report(client, auth, world, report):
    auth.login(world.consultant_assigned)
    response = client.post(
        f"/organisations/{world.organisation.id}/branding",
        data={
            "logo": (io.BytesIO(factories.png_logo(colour="#00aa00")), "logo.png"),
            "accent_colour": "#AA3300",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    branding = db.session.scalar(select(OrganisationBranding))
    assert branding.accent_colour == "#aa3300"
    assert branding.logo.startswith(b"\x89PNG")
    page = client.get(f"/assessments/{report.id}/report").get_data(as_text=True)
    assert "--accent:#aa3300" in page
    logo_url = f"/assessments/{report.id}/report/logo?v={branding.logo_hash}"
    assert f'src="{logo_url}"' in page
    served = client.get(logo_url)
    assert served.data == branding.logo
    assert served.mimetype == "image/png"
    # The branding page shows the organisation's current logo.
    branding_page = client.get(f"/organisations/{world.organisation.id}/branding")
    current_logo = f"/organisations/{world.organisation.id}/logo?v={branding.logo_hash}"
    assert f'src="{current_logo}"' in branding_page.get_data(as_text=True)
    assert client.get(current_logo).data == branding.logo
    cover = PdfReader(io.BytesIO(download_report(client, report, "en").data)).pages[0]
    assert len(cover.images) == 1
    # Removing the logo leaves the colour.
    client.post(
        f"/organisations/{world.organisation.id}/branding",
        data={"remove_logo": "y", "accent_colour": "#aa3300"},
    )
    db.session.refresh(branding)
    assert branding.logo is None
    assert branding.accent_colour == "#aa3300"
    assert client.get(logo_url).status_code == 404
    assert client.get(current_logo).status_code == 404


def big_png() -> bytes:
    import os

    from PIL import Image

    buffer = io.BytesIO()
    Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"GIF89a not really", "Upload a PNG or JPEG image."),
        (b"\x89PNG\r\n\x1a\n truncated", "Upload a PNG or JPEG image."),
        ("gif", "Upload a PNG or JPEG image."),
        ("wide", "The logo may be at most 4000 pixels wide and high."),
    ],
)
def test_a_bad_logo_is_refused_and_changes_nothing(client, auth, world, upload, message):
    if upload == "gif":
        buffer = io.BytesIO()
        from PIL import Image

        Image.new("RGB", (10, 10)).save(buffer, format="GIF")
        upload = buffer.getvalue()
    elif upload == "wide":
        upload = factories.png_logo(width=4001, height=10)
    auth.login(world.consultant_assigned)
    response = client.post(
        f"/organisations/{world.organisation.id}/branding",
        data={"logo": (io.BytesIO(upload), "logo.png"), "accent_colour": "#112233"},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert 'value="#112233"' in page  # what was typed stays in the form
    assert db.session.scalar(select(func.count()).select_from(OrganisationBranding)) == 0


def test_a_logo_over_a_megabyte_is_refused(app):
    """Checked on the validator itself: the test client spools an upload this big to a
    temporary file that it never closes."""
    with app.test_request_context(), pytest.raises(ValidationError) as refused:
        check_logo(big_png())
    assert str(refused.value) == "The logo may be at most 1 MB."


def test_a_bad_colour_is_refused(client, auth, world):
    auth.login(world.consultant_assigned)
    response = client.post(
        f"/organisations/{world.organisation.id}/branding",
        data={"accent_colour": "red;}</style>"},
    )
    assert "Give the colour as # and six hexadecimal digits" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OrganisationBranding)) == 0


def test_consultant_sets_an_owner_and_due_date_shown_in_the_report(client, auth, world, report):
    auth.login(world.consultant_assigned)
    result = scores.score(report)
    action = result.action_plan[0]
    fields = {
        "questionnaire": action.questionnaire_id,
        "dimension": action.dimension_id,
        "level": action.level,
        "position": "0",
    }
    page = client.get(f"/assessments/{report.id}/results").get_data(as_text=True)
    assert 'name="owner"' in page
    response = client.post(
        f"/assessments/{report.id}/actions",
        data={**fields, "owner": "Head of sales", "due_date": "2027-03-20"},
    )
    assert response.status_code == 302
    assigned = db.session.scalar(select(ActionAssignment))
    assert (assigned.owner, assigned.due_date) == ("Head of sales", date(2027, 3, 20))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "action owner"))
    assert event.new_value == {"owner": "Head of sales", "due_date": "2027-03-20"}
    assert 'value="Head of sales"' in client.get(f"/assessments/{report.id}/results").get_data(
        as_text=True
    )
    text = " ".join("\n".join(pdf_text(download_report(client, report, "en").data)).split())
    assert "Head of sales" in text
    assert "Mar 20, 2027" in text
    # Something that is not a recommendation of the plan is refused.
    bad = client.post(f"/assessments/{report.id}/actions", data={**fields, "position": "99"})
    assert bad.status_code == 400


def test_cli_renders_a_report(runner, app, world, report, tmp_path):
    target = tmp_path / "report.pdf"
    result = runner.invoke(
        args=["reports", "render", str(report.id), "--lang", "fa", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    pages = pdf_text(target.read_bytes())
    assert f"{len(pages)} pages" in result.output
    assert "rendered" in result.output
    again = runner.invoke(
        args=["reports", "render", str(report.id), "--lang", "fa", "-o", str(target)]
    )
    assert "from the cache" in again.output
    missing = runner.invoke(args=["reports", "render", "9999", "-o", str(target)])
    assert missing.exit_code != 0
    assert "there is no assessment 9999" in missing.output


def test_report_of_an_assessment_without_answers_still_renders(app, world, assessments):
    from app.reports.pdf import report_pdf

    with force_locale("en"):
        text = "\n".join(pdf_text(report_pdf(assessments.open, "en").data))
    assert "There are not enough answers yet to compute a score." in text
    assert "first published assessment" not in text  # Baseline 2025 is published before it


def test_a_warmed_up_process_has_the_report_template_compiled_and_its_text_corrected(app):
    """What a worker pays once before it forks its renders (``warm_up_renderer``), so
    that no render in a work horse pays it again."""
    environment = app.jinja_env
    environment.cache.clear()
    warm_up_renderer()
    assert [name for _loader, name in environment.cache] == ["reports/report.html"]
    assert lay_out_right_to_left_lines_once()
    assert keep_text_layouts_for_drawing()
