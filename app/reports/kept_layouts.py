"""Each text's Pango layout kept from WeasyPrint's layout of the page to its drawing, not
made a second time.

WeasyPrint (70.0, pinned in requirements.txt) measures every piece of text with a Pango
layout, then drops the layout's Pango objects (``Layout.deactivate``) to hold less memory,
and when it draws the page it makes them again from the start (``Layout.reactivate``): a
new Pango context, font description and layout, the text set again and shaped again.
For a report that is drawn as soon as it is laid out, that second making was about a
sixth of drawing its pages: WeasyPrint's "Creating PDF" step took a median of 1.29 s for
the Persian report, 1.08 s with the layouts kept (five renders each, alternately, in one
process), and callgrind counts 2 % fewer instructions for the whole render.

So a layout measured for the page keeps its Pango objects until its text is drawn, and is
drawn from them: with no width, as WeasyPrint would make it afresh (it drops the width
when it draws), and only where WeasyPrint would make the very same layout again: the same
style, and no spacing or breaking attribute that its ``set_text`` adds to the Pango layout
(justified text, letter and word spacing, ``overflow-wrap``); any other layout is made
afresh as before. Once drawn, its Pango objects are dropped as WeasyPrint drops them. The
cost is memory while a render runs, the measured layouts held until their page is drawn.

``tests/test_kept_layouts.py`` checks that the PDF is the same, byte for byte, as with
WeasyPrint's own methods, and that drawing makes no layout again where it need not. Where
WeasyPrint's methods are not the ones this replaces (another version), nothing is
changed, and that test fails.
"""

from __future__ import annotations

import inspect
from functools import cache

from weasyprint.text.ffi import pango
from weasyprint.text.line_break import Layout

_AS_WEASYPRINT_HAS_THEM = (
    """\
    def deactivate(self):
        del self.layout, self.language, self.style
""",
    """\
    def reactivate(self, style):
        self.setup(style)
        self.set_text(self.text, justify=True)
""",
)


def _made_again_the_same(layout: Layout, style) -> bool:
    """Whether WeasyPrint's ``reactivate(style)`` would make the layout it has: the same
    style, and none of the attributes ``set_text`` adds (or adds differently when drawing)."""
    return (
        layout.style is style
        and not layout.justification_spacing
        and not style["word_spacing"]
        and style["letter_spacing"] in ("normal", 0)
        and style["overflow_wrap"] not in ("anywhere", "break-word")
    )


@cache
def keep_text_layouts_for_drawing() -> bool:
    """Put the two methods in WeasyPrint's place, once per process (forked processes
    inherit them). True if they are in place; False where WeasyPrint's are not the ones
    these replace, which are then left as they are."""
    try:
        shipped = tuple(inspect.getsource(m) for m in (Layout.deactivate, Layout.reactivate))
    except OSError:  # installed without its source
        return False
    if shipped != _AS_WEASYPRINT_HAS_THEM:
        return False
    drop, make_again = Layout.deactivate, Layout.reactivate

    def deactivate(self: Layout) -> None:
        """After measuring: keep the Pango objects for drawing. After drawing (or a
        second time): drop them, as WeasyPrint does."""
        if vars(self).pop("_drawn", False) or hasattr(self, "_kept"):
            vars(self).pop("_kept", None)
            drop(self)
        else:
            self._kept = True

    def reactivate(self: Layout, style) -> None:
        """Before drawing: the kept layout, with no width, where WeasyPrint would make the
        same one again; otherwise a new one, as WeasyPrint makes it."""
        kept = vars(self).pop("_kept", False)
        self._drawn = True
        if kept and _made_again_the_same(self, style):
            pango.pango_layout_set_width(self.layout, -1)
        else:
            make_again(self, style)

    Layout.deactivate, Layout.reactivate = deactivate, reactivate
    return True
