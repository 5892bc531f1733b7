"""Editing a draft part by part: the questionnaire's own fields, a dimension, an item,
the level bands, a dimension's recommendations; adding, moving and removing dimensions
and items. What is typed is saved even when the schema finds problems in it; the page
then shows each problem beside its field."""

from __future__ import annotations

import copy

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from app.extensions import db
from app.forms import ConfirmForm
from app.instrument.authoring import blank_dimension, blank_item, move
from app.library import services
from app.library.fields import attach, load, relative_path, store, write
from app.library.forms import (
    DimensionForm,
    ItemForm,
    LevelsForm,
    QuestionnaireForm,
    RecommendationsForm,
)
from app.library.messages import in_language
from app.library.routes import bp, draft_title, editable_or_404
from app.models import LibraryQuestionnaire

STEPS = {"up": -1, "down": 1}


def _problems(questionnaire: LibraryQuestionnaire) -> list[tuple[str, str]]:
    return [
        (path, in_language(message)) for path, message in services.draft_problems(questionnaire)
    ]


def _saved(questionnaire: LibraryQuestionnaire, draft: dict, here: str, prefix: str):
    """Keep the draft; back to the page when the schema finds a problem in its part (it
    is shown beside its field there), else to the overview."""
    questionnaire.draft = draft
    db.session.commit()
    if any(relative_path(path, prefix) is not None for path, _m in _problems(questionnaire)):
        flash(_("Saved. Some fields need attention: see beside each."), "info")
        return redirect(here)
    flash(_("Saved."), "success")
    return redirect(url_for("library.show", questionnaire_id=questionnaire.id))


def _dimension(draft: dict, index: int) -> dict:
    dimensions = draft.get("dimensions") or []
    if not 0 <= index < len(dimensions):
        abort(404)
    return dimensions[index]


def _item(draft: dict, dimension: int, index: int) -> dict:
    items = _dimension(draft, dimension).get("items") or []
    if not 0 <= index < len(items):
        abort(404)
    return items[index]


def _page(template: str, questionnaire: LibraryQuestionnaire, form, **context):
    return render_template(
        f"library/{template}",
        questionnaire=questionnaire,
        title=draft_title(questionnaire),
        form=form,
        **context,
    )


@bp.route("/<int:questionnaire_id>/edit", methods=["GET", "POST"])
def edit_questionnaire(questionnaire_id: int):
    questionnaire = editable_or_404(questionnaire_id)
    form = QuestionnaireForm()
    here = url_for("library.edit_questionnaire", questionnaire_id=questionnaire.id)
    if form.validate_on_submit():
        draft = copy.deepcopy(questionnaire.draft)
        store(form, draft)
        return _saved(questionnaire, draft, here, "")
    if not form.is_submitted():
        load(form, questionnaire.draft)
        attach(form, _problems(questionnaire))
    return _page("edit_questionnaire.html", questionnaire, form)


@bp.route("/<int:questionnaire_id>/dimensions/<int:dimension>", methods=["GET", "POST"])
def edit_dimension(questionnaire_id: int, dimension: int):
    questionnaire = editable_or_404(questionnaire_id)
    part = _dimension(questionnaire.draft, dimension)
    form = DimensionForm()
    prefix = f"dimensions[{dimension}]"
    here = url_for("library.edit_dimension", questionnaire_id=questionnaire.id, dimension=dimension)
    if form.validate_on_submit():
        draft = copy.deepcopy(questionnaire.draft)
        store(form, _dimension(draft, dimension))
        return _saved(questionnaire, draft, here, prefix)
    if not form.is_submitted():
        load(form, part)
        attach(form, _problems(questionnaire), prefix)
    return _page("edit_dimension.html", questionnaire, form, dimension=dimension, part=part)


@bp.route(
    "/<int:questionnaire_id>/dimensions/<int:dimension>/items/<int:item>",
    methods=["GET", "POST"],
)
def edit_item(questionnaire_id: int, dimension: int, item: int):
    questionnaire = editable_or_404(questionnaire_id)
    part = _item(questionnaire.draft, dimension, item)
    form = ItemForm()
    form.scale.choices = list(questionnaire.draft.get("scales") or {})
    prefix = f"dimensions[{dimension}].items[{item}]"
    here = url_for(
        "library.edit_item", questionnaire_id=questionnaire.id, dimension=dimension, item=item
    )
    if form.validate_on_submit():
        draft = copy.deepcopy(questionnaire.draft)
        edited = _item(draft, dimension, item)
        store(form, edited)
        if not (form.same_as_questionnaire.data or form.same_as_item.data):
            write(edited, "same_as", None)  # most items are their questionnaire's own
        return _saved(questionnaire, draft, here, prefix)
    if not form.is_submitted():
        load(form, part)
        attach(form, _problems(questionnaire), prefix)
    return _page(
        "edit_item.html",
        questionnaire,
        form,
        dimension=dimension,
        dimension_title=_dimension(questionnaire.draft, dimension).get("title") or {},
    )


@bp.route("/<int:questionnaire_id>/levels", methods=["GET", "POST"])
def edit_levels(questionnaire_id: int):
    """The level bands, one row each, and an empty row to add one."""
    questionnaire = editable_or_404(questionnaire_id)
    form = LevelsForm()
    here = url_for("library.edit_levels", questionnaire_id=questionnaire.id)
    if form.validate_on_submit():
        draft = copy.deepcopy(questionnaire.draft)
        draft["levels"] = [
            _row_data(row.form) for row in form.rows if not _dropped(row.form, ("remove",))
        ]
        return _saved(questionnaire, draft, here, "levels")
    unplaced = []
    if not form.is_submitted():
        problems = _problems(questionnaire)
        for index, level in enumerate([*questionnaire.draft.get("levels", []), {}]):
            row = form.rows.append_entry().form
            load(row, level)
            unplaced += attach(row, problems, f"levels[{index}]")
        unplaced += [(path, message) for path, message in problems if path == "levels"]
    return _page("edit_levels.html", questionnaire, form, unplaced=unplaced)


@bp.route(
    "/<int:questionnaire_id>/dimensions/<int:dimension>/recommendations", methods=["GET", "POST"]
)
def edit_recommendations(questionnaire_id: int, dimension: int):
    """A dimension's recommendations, one row each with its level, and an empty row."""
    questionnaire = editable_or_404(questionnaire_id)
    part = _dimension(questionnaire.draft, dimension)
    recommendations = part.get("recommendations") or {}
    levels = [level.get("id", "") for level in questionnaire.draft.get("levels", [])]
    choices = list(dict.fromkeys([*levels, *recommendations]))
    form = RecommendationsForm()
    prefix = f"dimensions[{dimension}].recommendations"
    here = url_for(
        "library.edit_recommendations", questionnaire_id=questionnaire.id, dimension=dimension
    )
    if form.validate_on_submit():
        draft = copy.deepcopy(questionnaire.draft)
        by_level: dict[str, list] = {}
        for row in form.rows:
            if not _dropped(row.form, ("remove", "level")):
                by_level.setdefault(row.form.level.data, []).append(_row_data(row.form))
        _dimension(draft, dimension)["recommendations"] = by_level
        return _saved(questionnaire, draft, here, prefix)
    unplaced = []
    if not form.is_submitted():
        problems = _problems(questionnaire)
        rows = [
            (level, f"{prefix}.{level}[{n}]", recommendation)
            for level, entries in recommendations.items()
            for n, recommendation in enumerate(entries)
        ]
        for level, where, recommendation in [*rows, (choices[0] if choices else "", None, {})]:
            row = form.rows.append_entry().form
            row.level.data = level
            load(row, recommendation)
            if where is not None:
                unplaced += attach(row, problems, where)
        placed = {where for _level, where, _r in rows}
        unplaced += [
            (path, message)
            for path, message in problems
            if relative_path(path, prefix) is not None
            and not any(relative_path(path, where) is not None for where in placed)
        ]
    for row in form.rows:
        row.form.level.choices = choices
    return _page(
        "edit_recommendations.html",
        questionnaire,
        form,
        dimension=dimension,
        part=part,
        unplaced=unplaced,
    )


def _row_data(row) -> dict:
    data: dict = {}
    store(row, data)
    return data


def _dropped(row, ignored: tuple[str, ...]) -> bool:
    """A row marked for removal, or the empty row left empty."""
    if row.remove.data:
        return True
    return not any(field.data for name, field in row._fields.items() if name not in ignored)


@bp.route("/<int:questionnaire_id>/dimensions/add", methods=["POST"])
def add_dimension(questionnaire_id: int):
    questionnaire = editable_or_404(questionnaire_id)
    _confirmed()
    draft = copy.deepcopy(questionnaire.draft)
    draft.setdefault("dimensions", []).append(blank_dimension())
    questionnaire.draft = draft
    db.session.commit()
    index = len(draft["dimensions"]) - 1
    return redirect(
        url_for("library.edit_dimension", questionnaire_id=questionnaire.id, dimension=index)
    )


@bp.route("/<int:questionnaire_id>/dimensions/<int:dimension>/items/add", methods=["POST"])
def add_item(questionnaire_id: int, dimension: int):
    questionnaire = editable_or_404(questionnaire_id)
    _confirmed()
    draft = copy.deepcopy(questionnaire.draft)
    items = _dimension(draft, dimension).setdefault("items", [])
    items.append(blank_item(draft))
    questionnaire.draft = draft
    db.session.commit()
    return redirect(
        url_for(
            "library.edit_item",
            questionnaire_id=questionnaire.id,
            dimension=dimension,
            item=len(items) - 1,
        )
    )


@bp.route(
    "/<int:questionnaire_id>/dimensions/<int:dimension>/<any(up, down):direction>",
    methods=["POST"],
)
def move_dimension(questionnaire_id: int, dimension: int, direction: str):
    questionnaire = editable_or_404(questionnaire_id)
    _confirmed()
    draft = copy.deepcopy(questionnaire.draft)
    _dimension(draft, dimension)
    move(draft["dimensions"], dimension, STEPS[direction])
    return _rearranged(questionnaire, draft, f"dimension-{dimension + STEPS[direction]}")


@bp.route("/<int:questionnaire_id>/dimensions/<int:dimension>/remove", methods=["POST"])
def remove_dimension(questionnaire_id: int, dimension: int):
    questionnaire = editable_or_404(questionnaire_id)
    _confirmed()
    draft = copy.deepcopy(questionnaire.draft)
    _dimension(draft, dimension)
    del draft["dimensions"][dimension]
    return _rearranged(questionnaire, draft, "dimensions")


@bp.route(
    "/<int:questionnaire_id>/dimensions/<int:dimension>/items/<int:item>/<any(up, down):direction>",
    methods=["POST"],
)
def move_item(questionnaire_id: int, dimension: int, item: int, direction: str):
    questionnaire = editable_or_404(questionnaire_id)
    _confirmed()
    draft = copy.deepcopy(questionnaire.draft)
    _item(draft, dimension, item)
    move(draft["dimensions"][dimension]["items"], item, STEPS[direction])
    return _rearranged(questionnaire, draft, f"dimension-{dimension}")


@bp.route(
    "/<int:questionnaire_id>/dimensions/<int:dimension>/items/<int:item>/remove",
    methods=["POST"],
)
def remove_item(questionnaire_id: int, dimension: int, item: int):
    questionnaire = editable_or_404(questionnaire_id)
    _confirmed()
    draft = copy.deepcopy(questionnaire.draft)
    _item(draft, dimension, item)
    del draft["dimensions"][dimension]["items"][item]
    return _rearranged(questionnaire, draft, f"dimension-{dimension}")


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _rearranged(questionnaire: LibraryQuestionnaire, draft: dict, anchor: str):
    questionnaire.draft = draft
    db.session.commit()
    return redirect(url_for("library.show", questionnaire_id=questionnaire.id) + f"#{anchor}")
