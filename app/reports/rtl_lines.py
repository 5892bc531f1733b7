"""A correction to WeasyPrint's line layout: each line of a right-to-left block laid out
once, not twice.

WeasyPrint's ``get_next_linebox`` (70.0, the version pinned in requirements.txt, and its
main branch as read on 2026-11-28) lays a line out, then checks whether the line still
starts where the floats let it start, and lays it out again if not. In a left-to-right
block the check compares where the line starts. In a right-to-left block it compares
where the line starts plus the line's width with where it started plus the width the line
box had before its first layout, which is 0 where there are no floats: the two differ for
every line that holds anything, so every line was laid out a second time, to the same
result. Where a line starts is its right edge in a right-to-left block (``avoid_collisions``
returns it so), so the left-to-right check is the right one in both directions.

That second layout was about a third of the Persian report's CPU time: 5.6 s against 3.7 s
for the whole report in one process (``bench/render_report.py``), with the same 37 pages,
in text and as 100 dpi images to the pixel. ``tests/test_rtl_lines.py`` compares every box
of a right-to-left page, floats on both sides and a line laid out again below one
included. Where WeasyPrint's code is not the code this corrects (another version), nothing
is changed, and that test fails.
"""

from __future__ import annotations

import inspect
from functools import cache

from weasyprint.layout import inline

_AS_WEASYPRINT_HAS_IT = """\
        if containing_block.style['direction'] == 'ltr':
            condition = (position_x, position_y) == (
                original_position_x, original_position_y)
        else:
            condition = (position_x + line.width, position_y) == (
                original_position_x + original_width, original_position_y)
"""
# As many lines as it replaces, so a traceback through it names WeasyPrint's own lines.
_CORRECTED = """\
        # Where a line starts is its right edge in a right-to-left block
        # (avoid_collisions), so the check is the same in both directions; the one
        # it replaces, start plus width against start plus the width before the
        # first layout, had every right-to-left line laid out twice.
        condition = (position_x, position_y) == (
            original_position_x, original_position_y)
"""


@cache
def lay_out_right_to_left_lines_once() -> bool:
    """Put the corrected ``get_next_linebox`` in WeasyPrint's place, once per process
    (forked processes inherit it). True if it is in place; False where WeasyPrint's
    function is not the one this corrects, which is then left as it is."""
    try:
        lines, first_line = inspect.getsourcelines(inline.get_next_linebox)
    except OSError:  # installed without its source
        return False
    source = "".join(lines)
    if source.count(_AS_WEASYPRINT_HAS_IT) != 1:
        return False
    corrected = "\n" * (first_line - 1) + source.replace(_AS_WEASYPRINT_HAS_IT, _CORRECTED)
    # Defined among WeasyPrint's own names, where ``iter_line_boxes`` looks it up.
    exec(compile(corrected, inline.__file__, "exec"), vars(inline))
    return True
