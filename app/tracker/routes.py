"""The tracker's customers: the list (search, filters, pages, CSV export), the board by
stage, a customer's page with its timeline, adding and editing customers, and moves
between stages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cached_property

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import to_utc
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app.bidi import isolate_text
from app.extensions import db
from app.forms import ConfirmForm
from app.i18n import current_language
from app.models import (
    AcquisitionSource,
    Channel,
    Customer,
    CustomerKind,
    Organisation,
    PipelineStage,
    User,
)
from app.policy import Action, authorize, can
from app.redirects import is_safe_local_path
from app.tracker import exchange, kept_figures, metrics, queries, services
from app.tracker.forms import (
    CUSTOM,
    CustomerForm,
    FeedbackForm,
    FilterForm,
    FollowUpForm,
    InteractionForm,
    MoveForm,
    PeriodForm,
    today,
)
from app.tracker.labels import CHANNEL_LABELS
from app.urls import row_id

bp = Blueprint("tracker", __name__, url_prefix="/organisations/<int:organisation_id>/tracker")


@dataclass
class Tracker:
    """An organisation's tracker as a page needs it: its stages and its team."""

    organisation: Organisation
    stages: list[PipelineStage]
    team: list[User]

    @cached_property
    def can_edit(self) -> bool:
        return can(current_user, Action.EDIT_TRACKER, self.organisation)

    @cached_property
    def stage_by_id(self) -> dict[int, PipelineStage]:
        return {stage.id: stage for stage in self.stages}

    @cached_property
    def member_by_id(self) -> dict[int, User]:
        return {user.id: user for user in self.team}

    @property
    def active_stages(self) -> list[PipelineStage]:
        return [stage for stage in self.stages if stage.retired_at is None]

    def stage_choices(self, stages: list[PipelineStage] | None = None) -> list[SelectChoice]:
        language = current_language()
        return [SelectChoice(s.id, s.name(language)) for s in stages or self.active_stages]

    def member_choices(self, blank) -> list[SelectChoice]:
        return [SelectChoice("", blank)] + [SelectChoice(str(u.id), u.name) for u in self.team]


def open_tracker(organisation_id: int, action: Action = Action.VIEW_TRACKER) -> Tracker:
    """The tracker of the organisation, once the current user may do ``action`` there.
    The first visit gives the organisation the default stages."""
    organisation = db.get_or_404(Organisation, organisation_id)
    authorize(action, organisation)
    stages = services.pipeline(organisation.id)
    if not stages:
        stages = services.create_default_stages(organisation.id)
        db.session.commit()
    return Tracker(organisation, stages, services.team(organisation.id))


def customer_or_404(tracker: Tracker, customer_id: int) -> Customer:
    customer = db.get_or_404(Customer, customer_id)
    if customer.organisation_id != tracker.organisation.id:
        abort(404)
    return customer


def to_customer(tracker: Tracker, customer: Customer):
    return redirect(
        url_for(
            "tracker.customer", organisation_id=tracker.organisation.id, customer_id=customer.id
        )
    )


# --- List, export, board ---------------------------------------------------------------


def read_filters(tracker: Tracker, args) -> tuple[FilterForm, queries.Filters]:
    """The filters from the query string; a value that is not a choice is ignored."""
    form = FilterForm(args)
    form.stage.choices = [SelectChoice("", _("Any"))] + [
        SelectChoice(str(c.value), c.label) for c in tracker.stage_choices(tracker.stages)
    ]
    form.segment.choices = [SelectChoice("", _("Any"))] + [
        SelectChoice(segment, segment) for segment in queries.segments(tracker.organisation.id)
    ]
    form.owner.choices = [
        SelectChoice("", _("Anyone")),
        SelectChoice(queries.NO_OWNER, _("No owner")),
    ] + [SelectChoice(str(user.id), user.name) for user in tracker.team]
    form.validate()
    for name, errors in form.errors.items():
        if errors:
            form[name].data = ""
    filters = queries.Filters(
        search=form.q.data or "",
        stage_id=int(form.stage.data) if form.stage.data else None,
        segment=form.segment.data or "",
        source=AcquisitionSource(form.source.data) if form.source.data else None,
        owner=form.owner.data or "",
        channel=Channel(form.channel.data) if form.channel.data else None,
        overdue_before=today() if form.overdue.data else None,
    )
    return form, filters


@bp.route("/")
def customers(organisation_id: int):
    tracker = open_tracker(organisation_id)
    form, filters = read_filters(tracker, request.args)
    page = queries.list_page(
        tracker.organisation.id,
        filters,
        today(),
        after=request.args.get("after", type=row_id),
        before=request.args.get("before", type=row_id),
    )
    return render_template(
        "tracker/customers.html", tracker=tracker, form=form, page=page, active=form.active()
    )


@bp.route("/customers.csv")
def export(organisation_id: int):
    """Exactly the customers of the filtered list, streamed as they are read."""
    tracker = open_tracker(organisation_id)
    _form, filters = read_filters(tracker, request.args)
    language = current_language()
    rows = exchange.export_table(
        queries.export_rows(tracker.organisation.id, filters),
        {stage.id: stage.name(language) for stage in tracker.stages},
        {user.id: user.email for user in tracker.team},
    )
    response = Response(stream_with_context(exchange.csv_lines(rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="customers.csv"'
    return response


@bp.route("/board")
def board(organisation_id: int):
    tracker = open_tracker(organisation_id)
    form, filters = read_filters(tracker, request.args)
    filters = queries.Filters(**{**filters.__dict__, "stage_id": None})  # columns are stages
    columns = queries.board(tracker.organisation.id, tracker.stages, filters)
    return render_template(
        "tracker/board.html",
        tracker=tracker,
        form=form,
        columns=columns,
        active={k: v for k, v in form.active().items() if k != "stage"},
        move_form=MoveForm(prefix="move"),
    )


# --- One customer ------------------------------------------------------------------------


@bp.route("/customers/<int:customer_id>")
def customer(organisation_id: int, customer_id: int):
    tracker = open_tracker(organisation_id)
    return render_customer(tracker, customer_or_404(tracker, customer_id))


def render_customer(tracker: Tracker, customer: Customer, **forms) -> str:
    """The customer's page; ``forms`` are the ones sent back with errors, the others
    start empty."""
    limit = min(
        max(request.args.get("limit", queries.TIMELINE_STEP, type=int), queries.TIMELINE_STEP),
        queries.TIMELINE_MAX,
    )
    entries, older = queries.timeline(customer, limit)
    members = db.session.scalars(
        select(Customer)
        .where(Customer.company_id == customer.id)
        .order_by(Customer.name, Customer.id)
        .limit(50)
    ).all()
    editing = {}
    if tracker.can_edit:
        editing = {
            "move_form": forms.get("move_form") or new_move_form(tracker, customer),
            "interaction_form": forms.get("interaction_form") or new_interaction_form(),
            "follow_up_form": forms.get("follow_up_form") or new_follow_up_form(tracker),
            "feedback_form": forms.get("feedback_form") or new_feedback_form(),
            "confirm_form": ConfirmForm(),
        }
    return render_template(
        "tracker/customer.html",
        tracker=tracker,
        customer=customer,
        company=db.session.get(Customer, customer.company_id) if customer.company_id else None,
        company_members=members,
        entries=entries,
        older=older,
        limit=limit,
        follow_ups=queries.follow_ups_of(customer),
        signals=metrics.customer_signals(customer),
        today=today(),
        **editing,
    )


def new_move_form(tracker: Tracker, customer: Customer, formdata=None) -> MoveForm:
    others = [s for s in tracker.active_stages if s.id != customer.stage_id]
    form = MoveForm(formdata=formdata, prefix="move", stages=others)
    form.stage.choices = tracker.stage_choices(others)
    return form


def new_interaction_form(formdata=None) -> InteractionForm:
    form = InteractionForm(formdata=formdata, prefix="contact")
    if formdata is None:
        form.occurred_on.data = today()
    return form


def new_follow_up_form(tracker: Tracker, formdata=None) -> FollowUpForm:
    form = FollowUpForm(formdata=formdata, prefix="task")
    form.assignee.choices = tracker.member_choices(_("Nobody yet"))
    if formdata is None and current_user.id in tracker.member_by_id:
        form.assignee.data = str(current_user.id)
    return form


def new_feedback_form(formdata=None) -> FeedbackForm:
    form = FeedbackForm(formdata=formdata, prefix="feedback")
    if formdata is None:
        form.received_on.data = today()
    return form


@bp.route("/customers/<int:customer_id>/move", methods=["GET", "POST"])
def move(organisation_id: int, customer_id: int):
    """Move a customer to another stage: from the board's cards, the customer's page, or
    this page, which also shows what went wrong (such as a missing reason)."""
    tracker = open_tracker(organisation_id, Action.EDIT_TRACKER)
    customer = customer_or_404(tracker, customer_id)
    form = new_move_form(tracker, customer, request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        stage = tracker.stage_by_id[form.stage.data]
        services.move_customer(customer, stage, current_user, form.reason.data or "")
        db.session.commit()
        flash(
            _(
                "%(name)s moved to %(stage)s.",
                name=isolate_text(customer.name),
                stage=isolate_text(stage.name(current_language())),
            ),
            "success",
        )
        if is_safe_local_path(form.next.data):
            return redirect(form.next.data)
        return to_customer(tracker, customer)
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    return render_template("tracker/move.html", tracker=tracker, customer=customer, form=form)


@bp.route("/customers/new", methods=["GET", "POST"])
def new_customer(organisation_id: int):
    tracker = open_tracker(organisation_id, Action.EDIT_TRACKER)
    form = customer_form(tracker, None)
    if request.method == "GET":
        form.owner.data = str(current_user.id) if current_user.id in tracker.member_by_id else ""
    if submitted_and_valid(tracker, form, None):
        stage = tracker.stage_by_id[form.stage.data]
        added = services.add_customer(
            tracker.organisation.id, details_from(form), stage, current_user
        )
        db.session.commit()
        flash(_("%(name)s was added.", name=isolate_text(added.name)), "success")
        return to_customer(tracker, added)
    return render_template("tracker/customer_form.html", tracker=tracker, form=form, customer=None)


@bp.route("/customers/<int:customer_id>/edit", methods=["GET", "POST"])
def edit_customer(organisation_id: int, customer_id: int):
    tracker = open_tracker(organisation_id, Action.EDIT_TRACKER)
    customer = customer_or_404(tracker, customer_id)
    form = customer_form(tracker, customer)
    if submitted_and_valid(tracker, form, customer):
        services.apply_details(customer, details_from(form))
        db.session.commit()
        flash(_("Changes saved."), "success")
        return to_customer(tracker, customer)
    return render_template(
        "tracker/customer_form.html", tracker=tracker, form=form, customer=customer
    )


def customer_form(tracker: Tracker, customer: Customer | None) -> CustomerForm:
    initial = None
    if customer is not None and request.method == "GET":
        company = db.session.get(Customer, customer.company_id) if customer.company_id else None
        initial = {
            "kind": customer.kind.value,
            "name": customer.name,
            "company": company.name if company else "",
            "email": customer.email,
            "phone": customer.phone,
            "address": customer.address,
            "segment": customer.segment,
            "source": customer.source.value if customer.source else "",
            "owner": str(customer.owner_id) if customer.owner_id else "",
            "notes": customer.notes,
        }
    form = CustomerForm(data=initial)
    form.owner.choices = tracker.member_choices(_("Nobody yet"))
    if customer is None:
        # New customers start in a stage in progress or won; lost and churned need a move.
        form.stage.choices = tracker.stage_choices(
            [s for s in tracker.active_stages if not s.needs_reason]
        )
    else:
        del form.stage  # stages change only by moves, which are recorded
    return form


def submitted_and_valid(tracker: Tracker, form: CustomerForm, customer: Customer | None) -> bool:
    """Every check runs, so every problem shows at once."""
    if not form.is_submitted():
        return False
    valid = form.validate()
    return check_customer(tracker, form, customer) and valid


def check_customer(tracker: Tracker, form: CustomerForm, customer: Customer | None) -> bool:
    """The checks that need the database: the company exists, and no other customer has
    the same e-mail or phone. Adds the errors to the form."""
    ok = True
    form.company_id = None
    if form.kind.data == CustomerKind.PERSON and form.company.data:
        form.company_id = queries.customers_named(tracker.organisation.id, [form.company.data]).get(
            form.company.data.lower()
        )
        if form.company_id is None:
            form.company.errors.append(
                _("There is no company named “%(name)s”; add it first.", name=form.company.data)
            )
            ok = False
    for field, column, value in (
        (form.email, Customer.email, form.email.data),
        (form.phone, Customer.phone_key, services.phone_key(form.phone.data or "")),
    ):
        if not value:
            continue
        query = select(Customer.name).where(
            Customer.organisation_id == tracker.organisation.id, column == value
        )
        if customer is not None:
            query = query.where(Customer.id != customer.id)
        other = db.session.scalar(query.limit(1))
        if other is not None:
            field.errors.append(_("%(name)s already has this in the tracker.", name=other))
            ok = False
    return ok


def details_from(form: CustomerForm) -> services.CustomerDetails:
    kind = CustomerKind(form.kind.data)
    return services.CustomerDetails(
        kind=kind,
        name=form.name.data,
        company_id=form.company_id if kind is CustomerKind.PERSON else None,
        email=form.email.data or "",
        phone=form.phone.data or "",
        address=form.address.data or "",
        segment=form.segment.data or "",
        source=AcquisitionSource(form.source.data) if form.source.data else None,
        owner_id=int(form.owner.data) if form.owner.data else None,
        notes=form.notes.data or "",
    )


# --- Metrics ---------------------------------------------------------------------------


def read_period(args) -> tuple[PeriodForm, metrics.Period]:
    """The period chosen on the metrics page. While the chosen days are not valid, their
    errors show and the last 90 days are counted."""
    form = PeriodForm(args)
    if not form.validate():
        return form, metrics.Period.last_days(90)
    if form.period.data == CUSTOM:
        start = to_utc(datetime.combine(form.start.data, time())).replace(tzinfo=UTC)
        end = to_utc(datetime.combine(form.end.data + timedelta(days=1), time()))
        return form, metrics.Period(start, end.replace(tzinfo=UTC))
    return form, metrics.Period.last_days(int(form.period.data))


@bp.route("/metrics", endpoint="metrics")
def metrics_page(organisation_id: int):
    tracker = open_tracker(organisation_id)
    form, period = read_period(request.args)
    evidence = kept_figures.kept_evidence(tracker.organisation.id, period, today())
    page = render_template(
        "tracker/metrics.html",
        tracker=tracker,
        form=form,
        evidence=evidence,
        period=period,
        channel_labels=CHANNEL_LABELS,
    )
    return page, 400 if form.errors else 200
