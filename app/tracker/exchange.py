"""Customers to and from CSV: the export of a filtered list (streamed), the import
template, and the import itself: guess which column feeds which field, plan every row
(new, duplicate or invalid), then apply the plan all at once or not at all.

The export's columns are the template's, so an export can be edited and imported back;
the apostrophe that keeps formula-like text as text in a spreadsheet is removed again on
import (``defused`` and ``restored`` in app/spreadsheets.py).
CSV is read as the assessments' import reads it (UTF-8 with or without Excel's byte
order mark, comma, semicolon, tab or the Persian semicolon between cells).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.assessments.exchange import MAX_REPORTED_ERRORS
from app.extensions import db
from app.forms import is_email, normalise_email
from app.i18n import LocalNumber, to_latin_digits
from app.models import (
    Customer,
    CustomerKind,
    PipelineStage,
    StageKind,
    User,
)
from app.spreadsheets import defused
from app.tracker import services
from app.tracker.labels import KIND_LABELS, SOURCE_LABELS
from app.tracker.queries import customers_named
from app.tracker.services import CustomerDetails, phone_key

FIELDS = ("name", "kind", "company", "email", "phone", "address", "segment", "source")
FIELDS += ("stage", "owner", "notes")
FIELD_LABELS = {
    "name": _l("Name"),
    "kind": _l("Person or company"),
    "company": _l("Company"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "address": _l("Address"),
    "segment": _l("Segment"),
    "source": _l("Acquisition source"),
    "stage": _l("Stage"),
    "owner": _l("Owner (e-mail)"),
    "notes": _l("Notes"),
}
# Header names people use, beside the field's own name and its label in both languages.
HEADER_ALIASES = {
    "name": ("full name", "customer", "customer name", "نام و نام خانوادگی", "نام مشتری", "مشتری"),
    "kind": ("type", "نوع"),
    "company": ("organisation", "organization", "شرکت", "سازمان"),
    "email": ("e-mail", "mail", "email address", "ایمیل", "پست الکترونیک", "رایانامه"),
    "phone": ("mobile", "tel", "telephone", "تلفن", "موبایل", "شماره تماس", "تلفن همراه"),
    "address": ("نشانی", "آدرس"),
    "segment": ("بخش", "گروه مشتری"),
    "source": ("acquisition source", "channel", "منبع", "منبع جذب"),
    "stage": ("pipeline stage", "status", "مرحله", "وضعیت"),
    "owner": ("account owner", "مسئول", "مالک"),
    "notes": ("note", "comments", "یادداشت", "توضیحات"),
}
NEW, DUPLICATE, INVALID = "new", "duplicate", "invalid"
ACTION_LABELS = {
    NEW: _l("new"),
    DUPLICATE: _l("already in the tracker"),
    INVALID: _l("has problems"),
}


# --- Export -----------------------------------------------------------------------------


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[bytes]:
    """CSV text a line at a time (UTF-8, with the byte order mark Excel needs for Persian),
    cells that a spreadsheet would run as formulas kept as text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    yield "\ufeff".encode()
    for row in rows:
        writer.writerow([defused(cell) for cell in row])
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()


def export_table(
    customers: Iterable[tuple[Customer, str | None]],
    stage_names: dict[int, str],
    emails: dict[int, str],
) -> Iterator[list[object]]:
    """The template's columns, one row per customer; stages by name, owners by e-mail."""
    yield list(FIELDS)
    for customer, company in customers:
        yield [
            customer.name,
            customer.kind.value,
            company or "",
            customer.email,
            customer.phone,
            customer.address,
            customer.segment,
            customer.source.value if customer.source else "",
            stage_names[customer.stage_id],
            emails.get(customer.owner_id, ""),
            customer.notes,
        ]


# --- Mapping ----------------------------------------------------------------------------


def _folded(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").casefold().split())


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """Which column most likely feeds each field, judged by its header in either language."""
    names: dict[str, str] = {}
    for name in FIELDS:
        spellings = [name, *HEADER_ALIASES[name]]
        for language in ("en", "fa"):
            with force_locale(language):
                spellings.append(str(FIELD_LABELS[name]))
        names.update({_folded(spelling): name for spelling in spellings})
    mapping = {}
    for index, header in enumerate(headers):
        name = names.get(_folded(header))
        if name and name not in mapping:
            mapping[name] = index
    return mapping


# --- Planning ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    line: int
    column: str  # a field name
    message: str  # lazily translated


@dataclass
class PlannedRow:
    line: int  # as a spreadsheet numbers it: the header is line 1
    values: dict[str, str]  # the mapped cells, as written
    action: str = NEW
    details: CustomerDetails | None = None
    stage: PipelineStage | None = None
    company_name: str = ""
    existing_id: int | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class ImportPlan:
    rows: list[PlannedRow]
    problems: list[Problem]  # every row's, capped for display

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def can_commit(self) -> bool:
        return not any(row.action == INVALID for row in self.rows)


def _choice_lookup(labels: dict) -> dict[str, object]:
    """A stored value by its key or its label in either language."""
    lookup = {}
    for member, text in labels.items():
        lookup[_folded(member.value)] = member
        for language in ("en", "fa"):
            with force_locale(language):
                lookup[_folded(str(text))] = member
    return lookup


def plan_import(
    organisation_id: int,
    records: list[list[str]],
    mapping: dict[str, int],
    stages: list[PipelineStage],
    team: list[User],
) -> ImportPlan:
    """Check every row against the tracker as it is now; nothing is written."""
    body = [(LocalNumber(n), cells) for n, cells in enumerate(records[1:], start=2) if any(cells)]
    rows = [
        PlannedRow(
            line,
            {
                name: (cells[index].strip() if index < len(cells) else "")
                for name, index in mapping.items()
            },
        )
        for line, cells in body
    ]
    readers = _Readers(stages, team)
    for row in rows:
        _read(row, readers)
    _link_companies(organisation_id, rows)
    _find_duplicates(organisation_id, rows)
    problems = [problem for row in rows for problem in row.problems]
    if len(problems) > MAX_REPORTED_ERRORS:
        more = _l("… and %(count)s more problems.", count=len(problems) - MAX_REPORTED_ERRORS)
        problems = [*problems[:MAX_REPORTED_ERRORS], Problem(0, "", more)]
    return ImportPlan(rows=rows, problems=problems)


class _Readers:
    def __init__(self, stages: list[PipelineStage], team: list[User]):
        self.kinds = _choice_lookup(KIND_LABELS)
        self.sources = _choice_lookup(SOURCE_LABELS)
        self.stages = {}
        for stage in stages:
            for name in (stage.name_fa, stage.name_en):
                if name:
                    self.stages.setdefault(_folded(name), stage)
        self.first_stage = next(
            s for s in stages if s.kind is StageKind.OPEN and s.retired_at is None
        )
        self.owners = {user.email.lower(): user for user in team}


def _problem(row: PlannedRow, column: str, message) -> None:
    row.problems.append(Problem(row.line, column, message))
    row.action = INVALID


def _read(row: PlannedRow, readers: _Readers) -> None:
    values, at = row.values, {"line": row.line}
    name = values.get("name", "")
    if not name:
        _problem(row, "name", _l("Line %(line)s: the name is missing.", **at))
    elif len(name) > 200:
        _problem(row, "name", _l("Line %(line)s: the name is longer than 200 characters.", **at))
    kind = readers.kinds.get(_folded(values.get("kind", "")), CustomerKind.PERSON)
    if values.get("kind") and _folded(values["kind"]) not in readers.kinds:
        _problem(
            row,
            "kind",
            _l(
                "Line %(line)s: %(value)s is not “person” or “company”.", value=values["kind"], **at
            ),
        )
    email = normalise_email(values.get("email", "")) or ""
    if email and not is_email(email):
        _problem(
            row,
            "email",
            _l("Line %(line)s: %(value)s is not a valid e-mail address.", value=email, **at),
        )
    phone = values.get("phone", "")
    if phone and not phone_key(phone):
        _problem(row, "phone", _l("Line %(line)s: the phone number has no digits.", **at))
    source = None
    if values.get("source"):
        source = readers.sources.get(_folded(values["source"]))
        if source is None:
            _problem(
                row,
                "source",
                _l(
                    "Line %(line)s: %(value)s is not a known acquisition source.",
                    value=values["source"],
                    **at,
                ),
            )
    stage = readers.first_stage
    if values.get("stage"):
        stage = readers.stages.get(_folded(values["stage"]))
        if stage is None or stage.retired_at is not None:
            _problem(
                row,
                "stage",
                _l("Line %(line)s: there is no stage %(value)s.", value=values["stage"], **at),
            )
        elif stage.needs_reason:
            _problem(
                row,
                "stage",
                _l(
                    "Line %(line)s: customers enter stage %(value)s only with a reason; "
                    "move them there in the tracker.",
                    value=values["stage"],
                    **at,
                ),
            )
    owner = None
    if values.get("owner"):
        owner = readers.owners.get(to_latin_digits(values["owner"]).strip().lower())
        if owner is None:
            _problem(
                row,
                "owner",
                _l(
                    "Line %(line)s: %(value)s is not the e-mail of a member of the organisation.",
                    value=values["owner"],
                    **at,
                ),
            )
    for column, limit in (("segment", 80), ("address", 300), ("phone", 40), ("company", 200)):
        if len(values.get(column, "")) > limit:
            _problem(
                row,
                column,
                _l(
                    "Line %(line)s: %(column)s is longer than %(limit)s characters.",
                    column=column,
                    limit=limit,
                    **at,
                ),
            )
    row.stage = stage
    row.company_name = values.get("company", "") if kind is CustomerKind.PERSON else ""
    row.details = CustomerDetails(
        kind=kind,
        name=name[:200],
        email=email,
        phone=phone[:40],
        address=values.get("address", "")[:300],
        segment=values.get("segment", "")[:80],
        source=source,
        owner_id=owner.id if owner else None,
        notes=values.get("notes", ""),
    )


def _link_companies(organisation_id: int, rows: list[PlannedRow]) -> None:
    """A person's company must be in the tracker already, or be a company in the file."""
    in_file = {
        row.details.name.lower()
        for row in rows
        if row.details and row.details.kind is CustomerKind.COMPANY
    }
    wanted = sorted({row.company_name for row in rows if row.company_name})
    known = {}
    for start in range(0, len(wanted), 500):
        known |= customers_named(organisation_id, wanted[start : start + 500])
    for row in rows:
        name = row.company_name.lower()
        if name and name not in known and name not in in_file:
            _problem(
                row,
                "company",
                _l(
                    "Line %(line)s: there is no company %(value)s in the tracker or the file.",
                    line=row.line,
                    value=row.company_name,
                ),
            )
        elif name in known:
            row.details.company_id = known[name]


def _find_duplicates(organisation_id: int, rows: list[PlannedRow]) -> None:
    """Rows matching a customer already in the tracker (by e-mail, else by phone) are
    duplicates; two rows of the file for the same person are a problem."""
    emails = sorted({row.details.email for row in rows if row.details and row.details.email})
    phones = sorted({phone_key(row.details.phone) for row in rows if row.details} - {""})
    by_email, by_phone = {}, {}
    for start in range(0, len(emails), 500):
        by_email |= dict(
            db.session.execute(
                select(Customer.email, Customer.id).where(
                    Customer.organisation_id == organisation_id,
                    Customer.email.in_(emails[start : start + 500]),
                )
            ).all()
        )
    for start in range(0, len(phones), 500):
        by_phone |= dict(
            db.session.execute(
                select(Customer.phone_key, Customer.id).where(
                    Customer.organisation_id == organisation_id,
                    Customer.phone_key.in_(phones[start : start + 500]),
                )
            ).all()
        )
    first_line: dict[str, int] = {}
    for row in rows:
        if row.details is None:
            continue
        keys = [key for key in (row.details.email, phone_key(row.details.phone)) if key]
        for key in keys:
            if key in first_line:
                _problem(
                    row,
                    "email" if "@" in key else "phone",
                    _l(
                        "Line %(line)s: %(value)s is already on line %(first)s.",
                        line=row.line,
                        value=key,
                        first=first_line[key],
                    ),
                )
                break
        for key in keys:
            first_line.setdefault(key, row.line)
        existing = by_email.get(row.details.email) or by_phone.get(phone_key(row.details.phone))
        if existing is not None:
            row.existing_id = existing
            if row.action != INVALID:
                row.action = DUPLICATE


# --- Commit -----------------------------------------------------------------------------


def apply_plan(
    organisation_id: int, plan: ImportPlan, mapping: dict[str, int], update: bool, by: User
) -> tuple[int, int]:
    """Add the new customers and (when ``update``) overwrite the duplicates' mapped fields;
    return (added, updated). Only for a plan that ``can_commit``; the caller commits."""
    companies_added: dict[str, int] = {}
    added = updated = 0
    # Companies first, so the people of the same file can point at them.
    ordered = sorted(plan.rows, key=lambda row: row.details.kind is not CustomerKind.COMPANY)
    for row in ordered:
        details = row.details
        if row.company_name and details.company_id is None:
            details.company_id = companies_added.get(row.company_name.lower())
        if row.action == NEW:
            customer = services.add_customer(organisation_id, details, row.stage, by)
            added += 1
        elif row.action == DUPLICATE and update:
            customer = db.session.get(Customer, row.existing_id)
            for name in mapping:
                if name in ("stage", "company") or not row.values.get(name):
                    continue
                value = getattr(details, "owner_id" if name == "owner" else name)
                setattr(customer, "owner_id" if name == "owner" else name, value)
            if row.values.get("phone"):
                customer.phone_key = phone_key(details.phone)
            if row.values.get("company"):
                customer.company_id = details.company_id
            if row.values.get("stage") and customer.stage_id != row.stage.id:
                services.move_customer(customer, row.stage, by)
            updated += 1
        else:
            continue
        if details.kind is CustomerKind.COMPANY:
            companies_added.setdefault(details.name.lower(), customer.id)
    return added, updated
