"""The schema's problems in the page's language. The check every definition passes
(app/instrument/loader.py) words its problems in English for the YAML files' authors;
here the common ones are said again in the page's language, the rest as they are."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

_KNOWN = [
    (r"String should have at least 1 character", _l("Write this text.")),
    (r"required field is missing", _l("This is required.")),
    (r"Input should be a valid number.*", _l("Write a number, such as 1.5.")),
    (r"Input should be greater than 0", _l("Write a number above 0.")),
    (r"Input should be greater than or equal to 0", _l("Write a number from 0.")),
    (r"Input should be less than or equal to 100", _l("Write a number up to 100.")),
    (r"Input should be less than or equal to 1", _l("Write a number up to 1.")),
    (r"String should match pattern .*", _l("Use lowercase letters, digits and hyphens.")),
    (r"String should have at most 60 characters", _l("Use at most 60 characters.")),
    (r"List should have at least 1 item.*", _l("Add at least one.")),
    (r"List should have at least 2 items.*", _l("Add at least two.")),
    (r"a critical dimension needs a threshold", _l("A critical dimension needs a threshold.")),
    (
        r"only a critical dimension has a threshold",
        _l("Only a critical dimension has a threshold."),
    ),
    (
        r"a dimension needs at least one item that is not same_as another",
        _l("Add an item of this questionnaire's own."),
    ),
    (r"unknown scale '(?P<name>.*)'", _l("There is no answer scale %(name)s.")),
    (r"no recommendation for level '(?P<name>.*)'", _l("Add a recommendation for %(name)s.")),
    (r"unknown level '(?P<name>.*)'", _l("There is no level %(name)s.")),
    (r"duplicate id '(?P<name>.*?)'.*", _l("The identifier %(name)s is used twice.")),
    (r"the first level band must start at 0", _l("The first band starts at 0.")),
    (r"level bands must start in ascending order", _l("Each band starts above the one before.")),
    (
        r"a shipped questionnaire has this id: choose one of your own",
        _l("A shipped questionnaire has this identifier: choose one of your own."),
    ),
    (
        r"another questionnaire has this id: choose another",
        _l("Another questionnaire has this identifier: choose another."),
    ),
    (
        r"a published questionnaire keeps its id: (?P<name>.*)",
        _l("A published questionnaire keeps its identifier: %(name)s."),
    ),
]
_PATTERNS = [(re.compile(pattern), message) for pattern, message in _KNOWN]


def in_language(message: str) -> str:
    """``message`` in the page's language when it is one of the known problems."""
    for pattern, translated in _PATTERNS:
        if match := pattern.fullmatch(message):
            return str(translated) % match.groupdict() if match.groupdict() else str(translated)
    return message
