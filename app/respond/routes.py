"""Filling in: every page is saved when the respondent moves on, so a response can be
finished later from the same link, on any device."""

from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from app.assessments import respondents, scores, services
from app.assessments.services import Actor, AssessmentError
from app.extensions import db
from app.forms import ConfirmForm
from app.i18n import SESSION_KEY, current_language
from app.models import Respondent
from app.policy import Action, authorize
from app.respond.pages import (
    ItemState,
    Page,
    changed_answers,
    page_form_class,
    page_list_markup,
    pages_of,
    reviewed_pages,
    scale_markup,
    states_from_answers,
    states_from_form,
    unanswered,
)

bp = Blueprint("respond", __name__)

# Each view answers at two addresses: a private link (/r/<token>/...) for anyone, and
# /answer/<id>/... for a member of the organisation signed in to their own account.
BY_LINK = "/r/<token>"
BY_ACCOUNT = "/answer/<int:respondent_id>"


def _respondent(token: str | None, respondent_id: int | None) -> Respondent:
    if token is not None:
        respondent = respondents.respondent_for_token(token)
        if respondent is None:
            abort(404)
        return respondent
    respondent = db.get_or_404(Respondent, respondent_id, options=respondents.RESPONDING)
    authorize(Action.RESPOND, respondent)
    return respondent


def _address(token: str | None, respondent_id: int | None) -> dict:
    return {"token": token} if token is not None else {"respondent_id": respondent_id}


@bp.route(BY_LINK)
@bp.route(BY_ACCOUNT)
def start(token: str | None = None, respondent_id: int | None = None):
    respondent = _respondent(token, respondent_id)
    session.setdefault(SESSION_KEY, respondent.locale)
    address = _address(token, respondent_id)
    if not services.can_answer(respondent):
        return redirect(url_for("respond.closed", **address))
    pages = pages_of(scores.definitions(respondent.assessment))
    missing = unanswered(pages, services.answer_rows(respondent))
    if missing:  # resume at the first page with an unanswered item
        first_page, _item = missing[0]
        return redirect(url_for("respond.page", number=first_page.number, **address))
    return redirect(url_for("respond.review", **address))


@bp.route(f"{BY_LINK}/<int:number>", methods=["GET", "POST"])
@bp.route(f"{BY_ACCOUNT}/<int:number>", methods=["GET", "POST"])
def page(number: int, token: str | None = None, respondent_id: int | None = None):
    respondent = _respondent(token, respondent_id)
    address = _address(token, respondent_id)
    if not services.can_answer(respondent):
        return redirect(url_for("respond.closed", **address))
    pages = pages_of(scores.definitions(respondent.assessment))
    if not 1 <= number <= len(pages):
        abort(404)
    current = pages[number - 1]
    language = current_language()
    if request.method == "GET":
        states = states_from_answers(current, services.stored_answers(respondent, current.keys))
        return _draw(respondent, pages, current, language, states)
    form = page_form_class(current, language)(formdata=request.form)
    if not form.validate():
        return _draw(respondent, pages, current, language, states_from_form(current, form))
    try:
        services.save_answers(
            respondent, changed_answers(current, form), Actor.of_respondent(respondent)
        )
    except AssessmentError:
        db.session.rollback()
        return redirect(url_for("respond.closed", **address))
    db.session.commit()
    go = form.go.data
    if go == "back" and number > 1:
        return redirect(url_for("respond.page", number=number - 1, **address))
    if go == "next" and number < len(pages):
        return redirect(url_for("respond.page", number=number + 1, **address))
    if go == "review" or (go == "next" and number == len(pages)):
        return redirect(url_for("respond.review", **address))
    flash(_("Your answers on this page are saved."), "success")
    return redirect(url_for("respond.page", number=number, **address))


def _draw(
    respondent: Respondent,
    pages: list[Page],
    current: Page,
    language: str,
    states: dict[str, ItemState],
) -> str:
    return render_template(
        "respond/page.html",
        respondent=respondent,
        page=current,
        pages=pages,
        states=states,
        scale=partial(scale_markup, current, language=language),
        page_list=page_list_markup(pages, current, language),
        answered=services.answered_count(respondent),
        total=sum(len(p.dimension.items) for p in pages),
    )


@bp.route(f"{BY_LINK}/review", methods=["GET", "POST"])
@bp.route(f"{BY_ACCOUNT}/review", methods=["GET", "POST"])
def review(token: str | None = None, respondent_id: int | None = None):
    respondent = _respondent(token, respondent_id)
    address = _address(token, respondent_id)
    if not services.can_answer(respondent):
        return redirect(url_for("respond.closed", **address))
    pages = pages_of(scores.definitions(respondent.assessment))
    answers = services.answer_rows(respondent)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.submit_response(respondent, Actor.of_respondent(respondent))
        except AssessmentError:
            db.session.rollback()
        else:
            db.session.commit()
        return redirect(url_for("respond.closed", **address))
    return render_template(
        "respond/review.html",
        respondent=respondent,
        pages=pages,
        missing=unanswered(pages, answers),
        reviewed=reviewed_pages(pages, answers, current_language()),
        form=form,
        address=address,
    )


@bp.route(f"{BY_LINK}/done")
@bp.route(f"{BY_ACCOUNT}/done")
def closed(token: str | None = None, respondent_id: int | None = None):
    respondent = _respondent(token, respondent_id)
    return render_template("respond/closed.html", respondent=respondent)
