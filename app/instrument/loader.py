"""Reading questionnaire definitions from YAML, with errors a consultant can act on.

Every problem names the file, the place inside it and what is wrong, for example
``supporting-conditions.yaml: dimensions[2].items[4].scale: unknown scale 'likert7'``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from app.instrument.definitions import Questionnaire
from app.instrument.sharing import sharing_problems


class DefinitionError(Exception):
    """A definition file cannot be used; ``problems`` lists every reason, one per line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class LoadedQuestionnaire:
    definition: Questionnaire
    path: Path
    content_hash: str


def content_hash(definition: Questionnaire) -> str:
    """SHA-256 of the definition's canonical JSON: comments, key order and layout of the
    YAML file do not change it; any change to the content does."""
    return hashlib.sha256(canonical_json(definition).encode()).hexdigest()


def canonical_json(definition: Questionnaire) -> str:
    return json.dumps(
        definition.model_dump(mode="json"),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


# The path of a problem with the whole definition rather than one of its parts.
TOP = "(top)"


def parse_definition(data: object, name: str) -> Questionnaire:
    """Validate already-parsed data (from YAML, or a frozen copy) as a questionnaire."""
    definition, problems = check_definition(data)
    if definition is None:
        raise DefinitionError(
            [
                f"{name}: {message}" if path == TOP else f"{name}: {path}: {message}"
                for path, message in problems
            ]
        )
    return definition


def check_definition(data: object) -> tuple[Questionnaire | None, list[tuple[str, str]]]:
    """The questionnaire ``data`` defines, or None and every problem as (path, message),
    the path as ``dimensions[2].items[4].scale``. The one check for files and for
    questionnaires written in the app, so both obey the same schema."""
    if not isinstance(data, dict):
        return None, [(TOP, "the file must hold a mapping (id, version, title, ...)")]
    try:
        definition = Questionnaire.model_validate(data)
    except ValidationError as error:
        return None, [(_path(e["loc"]), _message(e)) for e in error.errors()]
    problems = definition.check_references()
    return (None, problems) if problems else (definition, [])


def load_questionnaire(path: Path) -> LoadedQuestionnaire:
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionError([f"{name}: cannot be read: {error}"]) from None
    definition = parse_definition(read_yaml(text, name), name)
    if path.stem != definition.id:
        raise DefinitionError([f"{name}: id: the id {definition.id!r} must match the file name"])
    return LoadedQuestionnaire(definition, path, content_hash(definition))


def read_yaml(text: str, name: str) -> object:
    """The data of a definition file's text; a YAML syntax error says where it is."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise DefinitionError([f"{name}: {where}{problem}"]) from None


def load_directory(folder: Path) -> list[LoadedQuestionnaire]:
    """Every questionnaire in ``folder``; all problems of all files are reported together,
    including items declared ``same_as`` another file's that differ from it."""
    loaded, problems = [], []
    for path in sorted(folder.glob("*.yaml")):
        try:
            loaded.append(load_questionnaire(path))
        except DefinitionError as error:
            problems += error.problems
    for questionnaire in loaded:
        problems += shared_item_problems(questionnaire, [other.definition for other in loaded])
    if problems:
        raise DefinitionError(problems)
    return loaded


def shared_item_problems(loaded: LoadedQuestionnaire, others: list[Questionnaire]) -> list[str]:
    """``loaded``'s items declared ``same_as`` an item of ``others`` that differ from it."""
    return [
        f"{loaded.path.name}: {where}: {message}"
        for where, message in sharing_problems(loaded.definition, others)
    ]


def _path(location: tuple) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or TOP


def _message(error: dict) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown field (check its spelling)"
    if error["type"] == "missing":
        return "required field is missing"
    return error["msg"].removeprefix("Value error, ")
