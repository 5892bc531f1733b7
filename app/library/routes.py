"""The library page, starting a questionnaire (empty, cloned or imported), its overview,
YAML export and publishing. Every form that changes something answers with a redirect."""

from __future__ import annotations

import re
from collections import Counter

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.forms import ConfirmForm
from app.guards import accepts_upload
from app.i18n import current_language, localize_digits
from app.instrument.authoring import draft_of, empty_draft, to_yaml
from app.instrument.loader import (
    DefinitionError,
    LoadedQuestionnaire,
    check_definition,
    read_yaml,
)
from app.library import services
from app.library.forms import ImportForm
from app.library.messages import in_language
from app.library.places import place_of
from app.models import LibraryQuestionnaire
from app.policy import Action, authorize

bp = Blueprint("library", __name__)

# The shipped files are 30-40 KB; a questionnaire twenty times as long is still welcome.
MAX_QUESTIONNAIRE_BYTES = 1024 * 1024
IDENTIFIER = re.compile(r"[a-z][a-z0-9-]{0,59}")


def editable_or_404(questionnaire_id: int) -> LibraryQuestionnaire:
    questionnaire = db.get_or_404(LibraryQuestionnaire, questionnaire_id)
    authorize(Action.EDIT_QUESTIONNAIRE, questionnaire)
    return questionnaire


def shipped_or_404(key: str) -> LoadedQuestionnaire:
    authorize(Action.USE_LIBRARY)
    loaded = services.shipped_by_id(key)
    if loaded is None:
        abort(404)
    return loaded


def draft_title(questionnaire: LibraryQuestionnaire) -> str:
    """The draft's title in the page's language, whatever state it is in."""
    title = questionnaire.draft.get("title")
    text = title.get(current_language()) if isinstance(title, dict) else None
    return text if isinstance(text, str) and text.strip() else _("Untitled questionnaire")


@bp.route("/")
def index():
    authorize(Action.USE_LIBRARY)
    own = services.library_of(current_user)
    published = services.published_versions([q.key for q in own if q.key])
    return render_template(
        "library/index.html",
        shipped=services.shipped(),
        own=[(q, draft_title(q), published.get(q.key, [])) for q in own],
        confirm=ConfirmForm(),
    )


@bp.route("/new", methods=["POST"])
def new():
    authorize(Action.USE_LIBRARY)
    shipped = services.shipped()
    if not ConfirmForm().validate_on_submit() or not shipped:
        abort(400)
    return _started(empty_draft(shipped[0].definition))


@bp.route("/shipped/<key>/clone", methods=["POST"])
def clone(key: str):
    loaded = shipped_or_404(key)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _started(draft_of(loaded.definition))


def _started(draft: dict):
    questionnaire = LibraryQuestionnaire(owner=current_user, draft=draft)
    db.session.add(questionnaire)
    db.session.commit()
    flash(_("Your questionnaire is ready to edit."), "success")
    return redirect(url_for("library.show", questionnaire_id=questionnaire.id))


@bp.route("/import", methods=["GET", "POST"])
@accepts_upload(MAX_QUESTIONNAIRE_BYTES)
def import_yaml():
    """A definition file as a new draft of one's own; a file that is not a valid
    questionnaire is refused with its problems, and nothing is added."""
    authorize(Action.USE_LIBRARY)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        name = upload.filename or "questionnaire.yaml"
        data = upload.read(MAX_QUESTIONNAIRE_BYTES + 1)
        try:
            definition, problems = _read_definition(data, name)
        except DefinitionError as error:
            form.file.errors.extend(error.problems)
        else:
            if definition is not None:
                return _started(draft_of(definition))
            form.file.errors.extend(f"{path}: {in_language(message)}" for path, message in problems)
    return render_template("library/import.html", form=form)


def _read_definition(data: bytes, name: str):
    """The definition an uploaded file holds, or its problems as (path, message); a file
    too large, not UTF-8 or not YAML at all raises DefinitionError."""
    if len(data) > MAX_QUESTIONNAIRE_BYTES:
        size = localize_digits(MAX_QUESTIONNAIRE_BYTES // (1024 * 1024))
        raise DefinitionError([_("The file is larger than %(size)s MB.", size=size)])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DefinitionError([_("The file is not UTF-8 text.")]) from None
    return check_definition(read_yaml(text, name))


@bp.route("/shipped/<key>.yaml")
def export_shipped(key: str):
    loaded = shipped_or_404(key)
    return _yaml_download(loaded.path.read_text(encoding="utf-8"), key)


@bp.route("/<int:questionnaire_id>/export.yaml")
def export(questionnaire_id: int):
    questionnaire = editable_or_404(questionnaire_id)
    name = questionnaire.draft.get("id")
    # The id names the file only once it is a valid one: a draft's may hold anything typed.
    if not (isinstance(name, str) and IDENTIFIER.fullmatch(name)):
        name = f"questionnaire-{questionnaire.id}"
    return _yaml_download(to_yaml(questionnaire.draft), name)


def _yaml_download(text: str, name: str) -> Response:
    response = Response(text, mimetype="application/yaml")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.yaml"'
    return response


@bp.route("/<int:questionnaire_id>")
def show(questionnaire_id: int):
    """The draft at a glance: its dimensions and items to edit and reorder, how many
    problems each part has (shown beside their fields on its page), its versions."""
    questionnaire = editable_or_404(questionnaire_id)
    problems = services.draft_problems(questionnaire)
    counts, unplaced = Counter(), []
    for path, message in problems:
        place = place_of(path)
        if place is None:
            unplaced.append(f"{path}: {in_language(message)}")
        else:
            counts[(place.endpoint, place.dimension, place.item)] += 1
    return render_template(
        "library/show.html",
        questionnaire=questionnaire,
        title=draft_title(questionnaire),
        draft=questionnaire.draft,
        problems=problems,
        counts=counts,
        unplaced=unplaced,
        versions=services.versions_of(questionnaire),
        confirm=ConfirmForm(),
    )


@bp.route("/<int:questionnaire_id>/publish", methods=["POST"])
def publish(questionnaire_id: int):
    questionnaire = editable_or_404(questionnaire_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        version = services.publish(questionnaire)
        db.session.commit()
    except DefinitionError as error:
        db.session.rollback()
        flash(
            _(
                "Not published. Problems to fix first: %(count)s, each shown beside its field.",
                count=localize_digits(len(error.problems)),
            ),
            "error",
        )
    except services.NothingToPublish as unchanged:
        flash(_("Nothing has changed since version %(version)s.", version=unchanged), "info")
    except IntegrityError:
        # Another draft took the same identifier, or this one's next version, between the
        # check and the commit: the database's unique keys refuse the second.
        db.session.rollback()
        flash(
            _(
                "Not published: another questionnaire took this identifier or version a "
                "moment ago. Check the identifier and publish again."
            ),
            "error",
        )
    else:
        flash(
            _(
                "Version %(version)s published: new assessments can use it.",
                version=version.version,
            ),
            "success",
        )
    return redirect(url_for("library.show", questionnaire_id=questionnaire.id))
