"""One vocabulary: the Persian catalogue says each key term with the word docs/glossary.md
gives it, everywhere."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from babel.messages.pofile import read_po

from app import PROJECT_ROOT

GLOSSARY = PROJECT_ROOT / "docs" / "glossary.md"
CATALOGUE = PROJECT_ROOT / "app" / "translations" / "fa" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


@dataclass(frozen=True)
class Term:
    english: str
    persian: tuple[str, ...]  # any of these forms
    not_persian: tuple[str, ...]  # words that must not stand for the term

    def in_english(self, text: str) -> bool:
        """The term, or the term with an ending ("assessments", "exported"), in the words
        of ``text`` (not in the names of its placeholders, such as ``%(level)s``)."""
        words = PLACEHOLDER.sub("", text)
        return re.search(rf"\b{re.escape(self.english)}", words, re.IGNORECASE) is not None


def _forms(cell: str) -> tuple[str, ...]:
    return tuple(form.strip() for form in cell.split("/") if form.strip())


def glossary() -> list[Term]:
    terms = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("English", "") or set(cells[0]) <= {"-"}:
            continue
        terms.append(Term(cells[0], _forms(cells[1]), _forms(cells[2])))
    return terms


def catalogue() -> list[tuple[str, str]]:
    with CATALOGUE.open("rb") as file:
        entries = read_po(file)
    pairs = []
    for message in entries:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs.extend((ids[0], string) for string in strings)
    return pairs


def test_the_glossary_names_the_terms_the_issue_asks_for():
    english = {term.english for term in glossary()}
    for term in ("export", "assessment", "respondent", "dimension", "readiness", "level"):
        assert term in english
    for term in ("target", "gap", "consensus", "questionnaire", "report"):
        assert term in english
    assert all(term.persian for term in glossary())


@pytest.mark.parametrize("term", glossary(), ids=lambda term: term.english)
def test_the_persian_catalogue_uses_the_glossary_word(term):
    wrong = []
    for english, persian in catalogue():
        if not term.in_english(english):
            continue
        if not any(form in persian for form in term.persian):
            wrong.append(f"{english!r} -> {persian!r}: no {' / '.join(term.persian)}")
        for other in term.not_persian:
            if other in persian:
                wrong.append(f"{english!r} -> {persian!r}: says {other}")
    assert not wrong, "\n".join(wrong)


def test_a_drifting_translation_is_caught(tmp_path, monkeypatch):
    """The check itself: "Export" said two ways fails it."""
    drifting = [("Export", "برون‌بری"), ("Export this list (CSV)", "خروجی همین فهرست (CSV)")]
    monkeypatch.setattr(f"{__name__}.catalogue", lambda: drifting)
    export = next(term for term in glossary() if term.english == "export")
    with pytest.raises(AssertionError, match="خروجی"):
        test_the_persian_catalogue_uses_the_glossary_word(export)
