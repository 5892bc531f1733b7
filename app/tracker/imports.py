"""Importing customers from CSV in three steps (upload, column mapping, preview and
commit). The uploaded file waits in the database between steps, so any server process
can take the next one; the commit is all or nothing."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete

from app.extensions import db
from app.guards import accepts_upload
from app.i18n import localize_digits
from app.models import CustomerImport, utcnow
from app.policy import Action
from app.spreadsheets import MAX_IMPORT_BYTES, Unreadable, csv_records
from app.tracker import exchange
from app.tracker.forms import ImportCommitForm, ImportUploadForm, mapping_form
from app.tracker.routes import Tracker, bp, open_tracker

PREVIEW_ROWS = 10
# Uploads never committed are dropped after this long.
ABANDONED_AFTER = timedelta(days=2)


def _batch_or_404(tracker: Tracker, batch_id: int) -> CustomerImport:
    batch = db.get_or_404(CustomerImport, batch_id)
    if batch.organisation_id != tracker.organisation.id or batch.committed_at is not None:
        abort(404)
    return batch


def _records(batch: CustomerImport) -> list[list[str]]:
    return csv_records(batch.content.encode("utf-8"))


@bp.route("/import/template.csv")
def import_template(organisation_id: int):
    open_tracker(organisation_id, Action.EDIT_TRACKER)
    response = Response(b"".join(exchange.csv_lines([exchange.FIELDS])), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="customers-template.csv"'
    return response


@bp.route("/import", methods=["GET", "POST"])
@accepts_upload(MAX_IMPORT_BYTES)
def import_upload(organisation_id: int):
    tracker = open_tracker(organisation_id, Action.EDIT_TRACKER)
    form = ImportUploadForm()
    if form.validate_on_submit():
        data = form.file.data.read(MAX_IMPORT_BYTES + 1)  # enough to tell that it is too big
        records = []
        try:
            records = csv_records(data)
        except Unreadable as unreadable:
            form.file.errors.append(str(unreadable.args[0]))
        else:
            if len(records) < 2 or not any(records[0]):
                form.file.errors.append(_("The file needs a header line and customer lines."))
        if not form.file.errors:
            db.session.execute(
                delete(CustomerImport).where(
                    CustomerImport.organisation_id == tracker.organisation.id,
                    CustomerImport.created_at < utcnow() - ABANDONED_AFTER,
                )
            )
            batch = CustomerImport(
                organisation_id=tracker.organisation.id,
                created_by_id=current_user.id,
                filename=(form.file.data.filename or "customers.csv")[:200],
                content=data.decode("utf-8-sig"),
                mapping=exchange.guess_mapping(records[0]),
            )
            db.session.add(batch)
            db.session.commit()
            return redirect(
                url_for(
                    "tracker.import_mapping", organisation_id=organisation_id, batch_id=batch.id
                )
            )
    return render_template("tracker/import_upload.html", tracker=tracker, form=form)


@bp.route("/import/<int:batch_id>/mapping", methods=["GET", "POST"])
def import_mapping(organisation_id: int, batch_id: int):
    tracker = open_tracker(organisation_id, Action.EDIT_TRACKER)
    batch = _batch_or_404(tracker, batch_id)
    records = _records(batch)
    headers = records[0]
    form = mapping_form(exchange.FIELD_LABELS, headers, batch.mapping)()
    if form.validate_on_submit():
        chosen = {name: int(form[name].data) for name in exchange.FIELDS if form[name].data != ""}
        seen = {}
        for name, index in chosen.items():
            if index in seen:
                form[name].errors.append(
                    _(
                        "This column already feeds “%(field)s”.",
                        field=exchange.FIELD_LABELS[seen[index]],
                    )
                )
            seen.setdefault(index, name)
        if "name" not in chosen:
            form["name"].errors.append(_("Choose the column with the customers' names."))
        if not any(form[name].errors for name in exchange.FIELDS):
            batch.mapping = chosen
            db.session.commit()
            return redirect(
                url_for(
                    "tracker.import_preview", organisation_id=organisation_id, batch_id=batch.id
                )
            )
    samples = records[1 : 1 + 3]
    return render_template(
        "tracker/import_mapping.html",
        tracker=tracker,
        batch=batch,
        form=form,
        fields=exchange.FIELDS,
        headers=headers,
        samples=samples,
    )


@bp.route("/import/<int:batch_id>/preview", methods=["GET", "POST"])
def import_preview(organisation_id: int, batch_id: int):
    """The plan for every row; committing re-checks it against the tracker as it is then."""
    tracker = open_tracker(organisation_id, Action.EDIT_TRACKER)
    batch = _batch_or_404(tracker, batch_id)
    if "name" not in batch.mapping:
        return redirect(
            url_for("tracker.import_mapping", organisation_id=organisation_id, batch_id=batch.id)
        )
    form = ImportCommitForm(on_duplicate=batch.on_duplicate)
    plan = exchange.plan_import(
        tracker.organisation.id, _records(batch), batch.mapping, tracker.stages, tracker.team
    )
    if form.validate_on_submit():
        batch.on_duplicate = form.on_duplicate.data
        if plan.can_commit:
            added, updated = exchange.apply_plan(
                tracker.organisation.id,
                plan,
                batch.mapping,
                form.on_duplicate.data == "update",
                current_user,
            )
            batch.committed_at = utcnow()
            db.session.commit()
            flash(
                _(
                    "%(added)s customers added and %(updated)s updated from %(file)s.",
                    added=localize_digits(added),
                    updated=localize_digits(updated),
                    file=batch.filename,
                ),
                "success",
            )
            return redirect(url_for("tracker.customers", organisation_id=organisation_id))
        db.session.rollback()
        flash(
            _("Nothing was imported: correct the problems below and upload the file again."),
            "error",
        )
    return render_template(
        "tracker/import_preview.html",
        tracker=tracker,
        batch=batch,
        form=form,
        plan=plan,
        fields=[name for name in exchange.FIELDS if name in batch.mapping],
        preview=plan.rows[:PREVIEW_ROWS],
        field_labels=exchange.FIELD_LABELS,
        action_labels=exchange.ACTION_LABELS,
    )
