from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from app.auth.password_links import send_password_link
from app.bidi import isolate_text
from app.extensions import db
from app.forms import ConfirmForm
from app.models import (
    Assessment,
    ConsultantAssignment,
    MemberRole,
    Membership,
    Organisation,
    StaffRole,
    User,
)
from app.organisations import services
from app.organisations.forms import (
    AssignConsultantForm,
    MemberForm,
    MemberRoleForm,
    OrganisationForm,
)
from app.organisations.queries import visible_organisations_query
from app.policy import Action, authorize, can

bp = Blueprint("organisations", __name__)


def _membership_or_404(organisation: Organisation, membership_id: int) -> Membership:
    membership = db.get_or_404(Membership, membership_id)
    if membership.organisation_id != organisation.id:
        abort(404)
    return membership


@bp.route("/")
def index():
    authorize(Action.LIST_ORGANISATIONS)
    search = request.args.get("q", "").strip()
    query = visible_organisations_query(current_user)
    if search:
        query = query.where(Organisation.name.ilike(f"%{search}%"))
    page = db.paginate(query, per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    return render_template("organisations/index.html", page=page, search=search)


@bp.route("/new", methods=["GET", "POST"])
def create():
    authorize(Action.CREATE_ORGANISATION)
    form = OrganisationForm(editor=current_user)
    if request.method == "GET":
        form.default_locale.data = current_user.locale
    if form.validate_on_submit():
        organisation = Organisation()
        form.populate_obj(organisation)
        db.session.add(organisation)
        if current_user.is_consultant:
            services.assign_consultant(organisation, current_user)
        db.session.commit()
        flash(
            _(
                "Organisation “%(name)s” created. Set up its first assessment now, or later "
                "from its page.",
                name=isolate_text(organisation.name),
            ),
            "success",
        )
        # A new organisation's next step is its first assessment.
        return redirect(url_for("assessments.create", organisation_id=organisation.id))
    return render_template("organisations/form.html", form=form, organisation=None)


@bp.route("/<int:organisation_id>")
def show(organisation_id: int):
    organisation = db.first_or_404(
        select(Organisation)
        .where(Organisation.id == organisation_id)
        .options(
            selectinload(Organisation.memberships).selectinload(Membership.user),
            selectinload(Organisation.assignments).selectinload(ConsultantAssignment.consultant),
        )
    )
    authorize(Action.VIEW_ORGANISATION, organisation)
    assign_form = None
    if can(current_user, Action.ASSIGN_CONSULTANTS, organisation):
        assign_form = AssignConsultantForm()
        assign_form.consultant.choices = _unassigned_consultant_choices(organisation)
    memberships = sorted(
        organisation.memberships, key=lambda m: (m.role != MemberRole.OWNER, m.user.name)
    )
    assessments = db.session.scalars(
        select(Assessment)
        .where(Assessment.organisation_id == organisation.id)
        .order_by(Assessment.created_at.desc())
    ).all()
    return render_template(
        "organisations/show.html",
        organisation=organisation,
        assessments=assessments,
        memberships=memberships,
        assign_form=assign_form,
        role_form=MemberRoleForm(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
def edit(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    authorize(Action.EDIT_ORGANISATION, organisation)
    form = OrganisationForm(obj=organisation, editor=current_user)
    if form.validate_on_submit():
        form.populate_obj(organisation)
        db.session.commit()
        flash(_("Changes saved."), "success")
        return redirect(url_for("organisations.show", organisation_id=organisation.id))
    return render_template("organisations/form.html", form=form, organisation=organisation)


@bp.route("/<int:organisation_id>/members/new", methods=["GET", "POST"])
def add_member(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    authorize(Action.MANAGE_MEMBERS, organisation)
    form = MemberForm()
    if request.method == "GET":
        form.locale.data = organisation.default_locale
    if form.validate_on_submit():
        try:
            added = services.add_member(
                organisation,
                name=form.name.data,
                email=form.email.data,
                role=MemberRole(form.role.data),
                locale=form.locale.data,
            )
        except services.MemberError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            if added.new_account:
                send_password_link(added.membership.user)
                flash(
                    _(
                        "%(name)s was added. An e-mail with a link to set a password was sent "
                        "to %(email)s.",
                        name=isolate_text(added.membership.user.name),
                        email=isolate_text(added.membership.user.email),
                    ),
                    "success",
                )
            else:
                flash(
                    _(
                        "%(name)s already had an account and was added to the organisation.",
                        name=isolate_text(added.membership.user.name),
                    ),
                    "success",
                )
            return redirect(url_for("organisations.show", organisation_id=organisation.id))
    return render_template("organisations/member_form.html", form=form, organisation=organisation)


@bp.route("/<int:organisation_id>/members/<int:membership_id>/role", methods=["POST"])
def change_member_role(organisation_id: int, membership_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    authorize(Action.MANAGE_MEMBERS, organisation)
    membership = _membership_or_404(organisation, membership_id)
    form = MemberRoleForm()
    if form.validate_on_submit():
        membership.role = MemberRole(form.role.data)
        db.session.commit()
        flash(
            _("The role of %(name)s was changed.", name=isolate_text(membership.user.name)),
            "success",
        )
    else:
        flash(_("Choose a valid role."), "error")
    return redirect(url_for("organisations.show", organisation_id=organisation.id))


@bp.route("/<int:organisation_id>/members/<int:membership_id>/remove", methods=["POST"])
def remove_member(organisation_id: int, membership_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    authorize(Action.MANAGE_MEMBERS, organisation)
    membership = _membership_or_404(organisation, membership_id)
    if ConfirmForm().validate_on_submit():
        name = membership.user.name
        db.session.delete(membership)
        db.session.commit()
        flash(
            _("%(name)s is no longer a member of the organisation.", name=isolate_text(name)),
            "success",
        )
    return redirect(url_for("organisations.show", organisation_id=organisation.id))


@bp.route("/<int:organisation_id>/members/<int:membership_id>/password-link", methods=["POST"])
def send_member_password_link(organisation_id: int, membership_id: int):
    """Send an invited member a fresh link when the first one was lost or expired."""
    organisation = db.get_or_404(Organisation, organisation_id)
    authorize(Action.MANAGE_MEMBERS, organisation)
    membership = _membership_or_404(organisation, membership_id)
    if ConfirmForm().validate_on_submit():
        send_password_link(membership.user)
        flash(
            _(
                "A link to set a password was sent to %(email)s.",
                email=isolate_text(membership.user.email),
            ),
            "success",
        )
    return redirect(url_for("organisations.show", organisation_id=organisation.id))


@bp.route("/<int:organisation_id>/consultants", methods=["POST"])
def assign_consultant(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    authorize(Action.ASSIGN_CONSULTANTS, organisation)
    form = AssignConsultantForm()
    form.consultant.choices = _unassigned_consultant_choices(organisation)
    if form.validate_on_submit():
        consultant = db.session.get(User, form.consultant.data)
        services.assign_consultant(organisation, consultant)
        db.session.commit()
        flash(
            _("%(name)s is now assigned to the organisation.", name=isolate_text(consultant.name)),
            "success",
        )
    else:
        flash(_("Choose a consultant to assign."), "error")
    return redirect(url_for("organisations.show", organisation_id=organisation.id))


@bp.route("/<int:organisation_id>/consultants/<int:assignment_id>/remove", methods=["POST"])
def unassign_consultant(organisation_id: int, assignment_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    authorize(Action.ASSIGN_CONSULTANTS, organisation)
    assignment = db.get_or_404(ConsultantAssignment, assignment_id)
    if assignment.organisation_id != organisation.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        name = assignment.consultant.name
        db.session.delete(assignment)
        db.session.commit()
        flash(
            _("%(name)s is no longer assigned to the organisation.", name=isolate_text(name)),
            "success",
        )
    return redirect(url_for("organisations.show", organisation_id=organisation.id))


def _unassigned_consultant_choices(organisation: Organisation) -> list[SelectChoice]:
    assigned = {a.consultant_id for a in organisation.assignments}
    consultants = db.session.scalars(
        select(User)
        .where(User.staff_role == StaffRole.CONSULTANT, User.active.is_(True))
        .order_by(User.name)
    )
    return [
        SelectChoice(c.id, f"{c.name} <{c.email}>") for c in consultants if c.id not in assigned
    ]
