"""The pages of a response: one dimension per page, across the assessment's questionnaires,
and the form that shows one page's items."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import Length, Optional

from app.assessments.services import NOT_APPLICABLE, SubmittedAnswer
from app.instrument.definitions import Dimension, Item, Questionnaire


@dataclass(frozen=True)
class Page:
    number: int  # from 1
    questionnaire: Questionnaire
    dimension: Dimension

    @property
    def keys(self) -> set[tuple[str, str]]:
        """The (questionnaire, item) key of each item on the page, as answers are stored."""
        return {(self.questionnaire.id, item.id) for item in self.dimension.items}


def pages_of(definitions: list[Questionnaire]) -> list[Page]:
    flat = [(q, d) for q in definitions for d in q.dimensions]
    return [Page(n, q, d) for n, (q, d) in enumerate(flat, start=1)]


def value_field(item: Item) -> str:
    return f"v_{item.id}"


def comment_field(item: Item) -> str:
    return f"c_{item.id}"


def seen_field(item: Item) -> str:
    return f"s_{item.id}"


class StoredAnswer(Protocol):
    """A stored answer: an ``Answer`` row object, or the plain row ``answer_rows`` reads."""

    questionnaire_key: str
    item_id: str
    value: int | None
    not_applicable: bool
    comment: str


def stored_choice(answer: StoredAnswer | None) -> str:
    if answer is None:
        return ""
    if answer.not_applicable:
        return NOT_APPLICABLE
    return "" if answer.value is None else str(answer.value)


def unanswered(pages: list[Page], answers: list[StoredAnswer]) -> list[tuple[Page, Item]]:
    """The items still without an answer (a bare comment is not one), in page order."""
    answered = {(a.questionnaire_key, a.item_id) for a in answers if stored_choice(a)}
    return [
        (page, item)
        for page in pages
        for item in page.dimension.items
        if (page.questionnaire.id, item.id) not in answered
    ]


@dataclass(frozen=True)
class ReviewedItem:
    item: Item
    answer: str  # the chosen point's label or "not applicable" in the scale's words; "" if none
    comment: str


@dataclass(frozen=True)
class ReviewedPage:
    page: Page
    items: list[ReviewedItem]

    @property
    def unanswered(self) -> int:
        return sum(1 for reviewed in self.items if not reviewed.answer)


def reviewed_pages(
    pages: list[Page], answers: list[StoredAnswer], language: str
) -> list[ReviewedPage]:
    """Every page with each item's answer in words and its comment, for the respondent to
    read through before submitting."""
    stored = {(a.questionnaire_key, a.item_id): a for a in answers}
    reviewed = []
    for page in pages:
        items = []
        for item in page.dimension.items:
            answer = stored.get((page.questionnaire.id, item.id))
            choice = stored_choice(answer)
            labels = {c.value: c.label for c in item_choices(page.questionnaire, item, language)}
            items.append(
                ReviewedItem(item, labels.get(choice, ""), answer.comment if answer else "")
            )
        reviewed.append(ReviewedPage(page, items))
    return reviewed


def item_choices(questionnaire: Questionnaire, item: Item, language: str) -> list[SelectChoice]:
    """The points of an item's scale, then N/A where the item allows it."""
    scale = questionnaire.scales[item.scale]
    choices = [SelectChoice(str(p.value), p.label.in_language(language)) for p in scale.points]
    if item.allow_na:
        choices.append(SelectChoice(NOT_APPLICABLE, scale.not_applicable.in_language(language)))
    return choices


# Frozen definitions never change, so what is drawn from them alone is built once per
# process: the form class of a page, the radio buttons of an item for each choice, and
# the list of pages with each one marked as current.
_FORM_CLASSES: dict[tuple[str, str, str, tuple[str, ...], str], type[FlaskForm]] = {}
_SCALES: dict[tuple[str, str, str, str, str], Markup] = {}
_PAGE_LISTS: dict[tuple[tuple[tuple[str, str], ...], int, str], Markup] = {}


def page_form_class(page: Page, language: str) -> type[FlaskForm]:
    """The form that reads a posted page (GET requests draw the page from the answers)."""
    questionnaire = page.questionnaire
    # The items are part of the key: a dimension leaves out an item it shares with
    # another questionnaire of the same assessment (app/instrument/sharing.py).
    items = tuple(item.id for item in page.dimension.items)
    key = (questionnaire.id, questionnaire.version, page.dimension.id, items, language)
    if key in _FORM_CLASSES:
        return _FORM_CLASSES[key]

    class PageForm(FlaskForm):
        go = HiddenField()

    for item in page.dimension.items:
        setattr(
            PageForm,
            value_field(item),
            RadioField(
                item.statement.in_language(language),
                choices=item_choices(questionnaire, item, language),
                validators=[Optional()],
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


@dataclass(frozen=True)
class ItemState:
    """What the page shows for one item: the choice ("" for none), the comment, the
    answer as the page was drawn with it (so that a stale tab does not overwrite newer
    answers), and any errors."""

    choice: str
    comment: str
    seen: str
    errors: tuple[str, ...] = ()


def states_from_answers(
    page: Page, answers: dict[tuple[str, str], StoredAnswer]
) -> dict[str, ItemState]:
    states = {}
    for item in page.dimension.items:
        answer = answers.get((page.questionnaire.id, item.id))
        choice, comment = stored_choice(answer), answer.comment if answer else ""
        states[item.id] = ItemState(choice, comment, f"{choice}|{comment}")
    return states


def states_from_form(page: Page, form) -> dict[str, ItemState]:
    """The posted page as it was typed, to show it again beside its errors."""
    return {
        item.id: ItemState(
            form[value_field(item)].data or "",
            form[comment_field(item)].data or "",
            form[seen_field(item)].data or "",
            (*form[value_field(item)].errors, *form[comment_field(item)].errors),
        )
        for item in page.dimension.items
    }


def scale_markup(page: Page, item: Item, language: str, choice: str) -> Markup:
    """The radio buttons of an item with ``choice`` checked; only valid choices are
    remembered, so what a client posts cannot grow the cache."""
    questionnaire = page.questionnaire
    key = (questionnaire.id, questionnaire.version, item.id, language, choice)
    if key not in _SCALES:
        choices = item_choices(questionnaire, item, language)
        if choice and choice not in {c.value for c in choices}:
            return scale_markup(page, item, language, "")
        _SCALES[key] = _drawn_once().scale(value_field(item), choices, choice)
    return _SCALES[key]


def page_list_markup(pages: list[Page], current: Page, language: str) -> Markup:
    versions = tuple(dict.fromkeys((p.questionnaire.id, p.questionnaire.version) for p in pages))
    key = (versions, current.number, language)
    if key not in _PAGE_LISTS:
        _PAGE_LISTS[key] = _drawn_once().page_list(pages, current.number, language)
    return _PAGE_LISTS[key]


def _drawn_once():
    return current_app.jinja_env.get_template("respond/_drawn_once.html").module


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
