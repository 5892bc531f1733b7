"""Looking at a questionnaire rather than editing it: the preview, as a respondent sees
it in either language, and two versions side by side."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _

from app.formatting import digits
from app.i18n import current_language
from app.instrument.comparison import compare
from app.instrument.definitions import Questionnaire
from app.instrument.loader import check_definition
from app.instrument.versions import thaw
from app.library import services
from app.library.forms import CompareForm
from app.library.routes import bp, draft_title, editable_or_404, shipped_or_404
from app.respond.pages import item_choices

DRAFT = "draft"


def _preview_language() -> str:
    language = request.args.get("lang", current_language())
    return language if language in ("fa", "en") else current_language()


def _preview(definition: Questionnaire | None, **context):
    language = _preview_language()
    return render_template(
        "library/preview.html",
        definition=definition,
        language=language,
        choices=lambda item: item_choices(definition, item, language),
        # Numbered in the questionnaire's language, whatever the page's.
        number=lambda value: digits(value, language),
        **context,
    )


@bp.route("/shipped/<key>/preview")
def preview_shipped(key: str):
    loaded = shipped_or_404(key)
    return _preview(loaded.definition, questionnaire=None, key=key)


@bp.route("/<int:questionnaire_id>/preview")
def preview(questionnaire_id: int):
    """The draft as a respondent will see it; a draft the schema refuses cannot be drawn,
    and the page says so."""
    questionnaire = editable_or_404(questionnaire_id)
    definition, _problems = check_definition(questionnaire.draft)
    return _preview(definition, questionnaire=questionnaire, title=draft_title(questionnaire))


@bp.route("/<int:questionnaire_id>/compare")
def compare_versions(questionnaire_id: int):
    """Two of the published versions, or a version and the draft, side by side."""
    questionnaire = editable_or_404(questionnaire_id)
    versions = services.versions_of(questionnaire)
    by_id = {str(version.id): version for version in versions}
    draft, _problems = check_definition(questionnaire.draft)
    choices = [(key, version.version) for key, version in by_id.items()]
    if draft is not None and not (
        versions and services.unchanged_since(questionnaire.draft, versions[-1])
    ):
        choices.append((DRAFT, _("Draft")))
    form = CompareForm(request.args)
    for select in (form.old, form.new):
        select.choices = choices
    if len(choices) < 2:
        return render_template(
            "library/compare.html",
            questionnaire=questionnaire,
            title=draft_title(questionnaire),
            form=None,
            comparison=None,
        )
    form.old.data = form.old.data if form.old.data in dict(choices) else choices[-2][0]
    form.new.data = form.new.data if form.new.data in dict(choices) else choices[-1][0]

    def chosen(key: str) -> Questionnaire:
        return draft if key == DRAFT else thaw(by_id[key])

    return render_template(
        "library/compare.html",
        questionnaire=questionnaire,
        title=draft_title(questionnaire),
        form=form,
        comparison=compare(chosen(form.old.data), chosen(form.new.data)),
    )
