"""The pages of a response: one dimension per page, across the assessment's questionnaires,
and the form that shows one page's items."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import Length, Optional

from app.assessments.services import NOT_APPLICABLE, SubmittedAnswer
from app.instrument.definitions import Dimension, Item, Questionnaire
from app.models import Answer


@dataclass(frozen=True)
class Page:
    number: int  # from 1
    questionnaire: Questionnaire
    dimension: Dimension


def pages_of(definitions: list[Questionnaire]) -> list[Page]:
    flat = [(q, d) for q in definitions for d in q.dimensions]
    return [Page(n, q, d) for n, (q, d) in enumerate(flat, start=1)]


def value_field(item: Item) -> str:
    return f"v_{item.id}"


def comment_field(item: Item) -> str:
    return f"c_{item.id}"


def seen_field(item: Item) -> str:
    return f"s_{item.id}"


def stored_choice(answer: Answer | None) -> str:
    if answer is None:
        return ""
    if answer.not_applicable:
        return NOT_APPLICABLE
    return "" if answer.value is None else str(answer.value)


def unanswered(pages: list[Page], answers: list[Answer]) -> list[tuple[Page, Item]]:
    """The items still without an answer (a bare comment is not one), in page order."""
    answered = {(a.questionnaire_key, a.item_id) for a in answers if stored_choice(a)}
    return [
        (page, item)
        for page in pages
        for item in page.dimension.items
        if (page.questionnaire.id, item.id) not in answered
    ]


# Form classes by (questionnaire, version, dimension, language): building one costs more
# than the rest of the page, and definitions never change once frozen.
_FORM_CLASSES: dict[tuple[str, str, str, str], type[FlaskForm]] = {}


def page_form_class(page: Page, language: str) -> type[FlaskForm]:
    questionnaire = page.questionnaire
    key = (questionnaire.id, questionnaire.version, page.dimension.id, language)
    if key in _FORM_CLASSES:
        return _FORM_CLASSES[key]

    class PageForm(FlaskForm):
        go = HiddenField()

    for item in page.dimension.items:
        scale = questionnaire.scales[item.scale]
        choices = [SelectChoice(str(p.value), p.label.in_language(language)) for p in scale.points]
        if item.allow_na:
            choices.append(SelectChoice(NOT_APPLICABLE, scale.not_applicable.in_language(language)))
        setattr(
            PageForm,
            value_field(item),
            RadioField(
                item.statement.in_language(language), choices=choices, validators=[Optional()]
            ),
        )
        setattr(
            PageForm,
            comment_field(item),
            TextAreaField(_l("Comment or evidence (optional)"), validators=[Length(max=2000)]),
        )
        setattr(PageForm, seen_field(item), HiddenField())
    _FORM_CLASSES[key] = PageForm
    return PageForm


def page_form(page: Page, language: str, answers: dict[tuple[str, str], Answer], formdata=None):
    """A form with, for each item of the page, its answer, a comment, and what the page
    showed when it was drawn (so a stale tab does not overwrite newer answers)."""
    questionnaire = page.questionnaire
    form = page_form_class(page, language)(formdata=formdata)
    if formdata is None:
        for item in page.dimension.items:
            answer = answers.get((questionnaire.id, item.id))
            form[value_field(item)].data = stored_choice(answer) or None
            form[comment_field(item)].data = answer.comment if answer else ""
            form[seen_field(item)].data = (
                stored_choice(answer) + "|" + (answer.comment if answer else "")
            )
    return form


def changed_answers(page: Page, form) -> list[SubmittedAnswer]:
    """The answers this page changed: items whose value or comment differs from what the
    page showed. Untouched items are left alone, even if another tab changed them since."""
    changed = []
    for item in page.dimension.items:
        choice = form[value_field(item)].data or ""
        comment = (form[comment_field(item)].data or "").strip()
        if f"{choice}|{comment}" == (form[seen_field(item)].data or "|"):
            continue
        value = int(choice) if choice and choice != NOT_APPLICABLE else None
        changed.append(
            SubmittedAnswer(
                page.questionnaire.id, item.id, value, choice == NOT_APPLICABLE, comment
            )
        )
    return changed
