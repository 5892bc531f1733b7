"""Keeping text of one direction whole inside text of the other.

A Persian name in an English sentence (or a Latin one in a Persian sentence) must be an
island: without one, the Unicode bidirectional algorithm lets the name's direction reach
the words and numbers around it, so "شرکت پخش سپیدار · 12 submitted responses" comes out
as "12 · شرکت پخش سپیدار submitted responses". Wherever data (names, titles, anything a
user typed) meets a sentence or a cell, it goes through one of these:

- ``isolate`` (the ``isolate`` template filter): the text in a ``<bdi>`` whose ``dir`` is
  the text's own (``direction_of``), written out because WeasyPrint ignores
  ``dir="auto"``; inside, each run in
  the other script is isolated again, because WeasyPrint draws each element as a box of
  its own in the order of the text, so text extracted or copied from the PDF reads in
  logical order, where one box of mixed text would come out run by run from left to right.
- ``direction_of`` (the ``text_dir`` filter): the ``dir`` for a block of user text, such
  as a paragraph of observations.
- ``isolate_text``: plain text between first-strong isolate marks (U+2068 ... U+2069),
  for strings that cannot hold markup: flashed messages, e-mail, the PDF's running heads
  (CSS content strings).
"""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup, escape

FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"

# A run of Latin words ("CRM", "Gartner CRM", "e-mail", "sara_m@example.com") with the
# numbers that follow its words, which the bidirectional algorithm reads as part of the
# run; punctuation at its ends stays out, as it belongs to the sentence around it. An
# address is one word: split at its "@", its two halves changed places in a Persian line.
_LATIN_WORD = r"[A-Za-z][A-Za-z0-9_]*(?:[-&.'/+@][A-Za-z0-9_]+)*"
_LATIN_RUN = re.compile(rf"{_LATIN_WORD}(?: (?:{_LATIN_WORD}|[0-9۰-۹]+))*")  # "CRM ۱۴۰۵"
# A run of Arabic-script words (Persian digits and joiners included) and the numbers
# that follow them.
_ARABIC_LETTER = "\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff"
_ARABIC_WORD = f"[{_ARABIC_LETTER}][{_ARABIC_LETTER}\u200c]*"
_ARABIC_RUN = re.compile(f"{_ARABIC_WORD}(?: (?:{_ARABIC_WORD}|[0-9]+))*")


def direction_of(text: object, default: str = "ltr") -> str:
    """ "rtl" or "ltr": the direction of most of the text's letters, the first letter's on
    a tie; ``default`` for text with none (numbers, punctuation).

    Not the first letter alone, as ``dir="auto"`` decides: a Persian sentence often starts
    with a Latin word («CRM را با ردیف بودجه ...»), and would then be laid out left to
    right, its full stop at the wrong end."""
    counts = {"ltr": 0, "rtl": 0}
    first = None
    for char in str(text):
        kind = unicodedata.bidirectional(char)
        direction = "ltr" if kind == "L" else "rtl" if kind in ("R", "AL") else None
        if direction:
            counts[direction] += 1
            first = first or direction
    if first is None:
        return default
    if counts["ltr"] == counts["rtl"]:
        return first
    return max(counts, key=counts.get)


def isolate_runs(text: str, rtl: bool) -> Markup:
    """``text`` escaped, with each run of the other direction's script (Latin words in
    right-to-left text, Persian words in left-to-right text) in a ``<bdi>`` of its own."""
    pattern, direction = (_LATIN_RUN, "ltr") if rtl else (_ARABIC_RUN, "rtl")
    parts, end = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[end : match.start()]))
        parts.append(Markup('<bdi dir="{}">{}</bdi>').format(direction, match.group()))
        end = match.end()
    parts.append(escape(text[end:]))
    return Markup("").join(parts)


def isolate(value: object, context: str | None = None) -> Markup:
    """``value`` as an island of its own direction (see the module's notes); nothing for
    None or empty text.

    Text whose direction is the ``context``'s (the page's) needs no island of its own:
    only its runs in the other script are isolated. Wrapping it too would change nothing
    on screen, but in the PDF it would split one right-to-left run into boxes that text
    extraction puts back together in the wrong order."""
    if value is None or value == "":
        return Markup("")
    text = str(value)
    direction = direction_of(text)
    inner = isolate_runs(text, rtl=direction == "rtl")
    if direction == context:
        return inner
    return Markup('<bdi dir="{}">{}</bdi>').format(direction, inner)


def isolate_text(value: object) -> str:
    """Plain ``value`` between first-strong isolate marks."""
    return f"{FIRST_STRONG_ISOLATE}{value}{POP_DIRECTIONAL_ISOLATE}"
