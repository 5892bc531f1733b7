"""Between a draft's data and the editor's forms: each form field names the place in the
definition it edits (``title.en``, ``settings.min_coverage``), so values are read and
written there, and a problem the schema reports at that place is shown beside it.

The forms check nothing themselves: whatever is typed is kept in the draft, and the one
schema (``check_definition``) says what is wrong and where.
"""

from __future__ import annotations

import math
import re
from typing import Any

from wtforms import BooleanField, Field, StringField

from app.forms import CheckboxesField
from app.i18n import to_latin_digits

Problem = tuple[str, str]


class NumberField(StringField):
    """A number as typed: stored as a number when it reads as one, else as the text, so
    the schema reports it beside the field and nothing typed is lost."""


def read(data: dict[str, Any], path: str) -> Any:
    for key in path.split("."):
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def write(data: dict[str, Any], path: str, value: Any) -> None:
    """Set the value at ``path``; None removes it, so the schema's default applies."""
    *parents, last = path.split(".")
    for key in parents:
        data = data.setdefault(key, {})
    if value is None:
        data.pop(last, None)
    else:
        data[last] = value


def load(form, data: dict[str, Any]) -> None:
    """Show the draft's values in ``form`` (a GET, before anything is typed)."""
    for name, path in form.PATHS.items():
        field = form[name]
        field.data = _shown(field, read(data, path))


def store(form, data: dict[str, Any]) -> None:
    """Write what was typed into ``form`` into the draft's data."""
    for name, path in form.PATHS.items():
        write(data, path, _stored(form[name]))


def attach(form, problems: list[Problem], prefix: str = "") -> list[Problem]:
    """Put each problem under ``prefix`` beside the field it concerns; the problems
    under ``prefix`` that no field of ``form`` edits are returned."""
    unplaced = []
    for path, message in problems:
        relative = relative_path(path, prefix)
        if relative is None:
            continue
        name = field_for(form.PATHS, relative)
        if name is None:
            unplaced.append((path, message))
        else:
            form[name].errors = [*form[name].errors, message]
    return unplaced


def relative_path(path: str, prefix: str) -> str | None:
    """``path`` inside ``prefix`` (``dimensions[1].title.en`` inside ``dimensions[1]``
    is ``title.en``), or None when it is elsewhere."""
    if not prefix:
        return path
    if path == prefix:
        return ""
    if path.startswith(prefix + "."):
        return path[len(prefix) + 1 :]
    if path.startswith(prefix + "["):
        return path[len(prefix) :]
    return None


def field_for(paths: dict[str, str], relative: str) -> str | None:
    """The field that edits ``relative`` or a part of it (``source[1]`` is the source
    field's; ``same_as`` is shown at its first field)."""
    head = re.split(r"\[", relative, maxsplit=1)[0]
    for name, path in paths.items():
        if head == path or head.startswith(path + ".") or (head and path.startswith(head + ".")):
            return name
    return None


def _shown(field: Field, value: Any) -> Any:
    if isinstance(field, BooleanField):
        return bool(value)
    if isinstance(field, CheckboxesField):
        return list(value) if isinstance(value, list) else []
    if isinstance(field, NumberField):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return "" if value is None else str(value)
    return "" if value is None else str(value)


def _stored(field: Field) -> Any:
    if isinstance(field, BooleanField | CheckboxesField):
        return field.data
    text = (field.data or "").strip()
    if isinstance(field, NumberField):
        if not text:
            return None
        try:
            number = float(to_latin_digits(text))
        except ValueError:
            return text
        # "nan" and "inf" read as floats, but JSON (and PostgreSQL) cannot store them.
        return number if math.isfinite(number) else text
    return text
