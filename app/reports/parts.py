"""The report rendered as two parts at once, in two processes, and joined into one PDF.

Where a cold render's time goes (``bench/render_report.py``): laying out and drawing the
pages, in pure Python, on one core; the per-question appendix is about half of it. So the
appendix and the rest of the report ("the body") are laid out side by side in two forked
processes and their pages joined; the PDF is the same as one render of the whole
(``tests/test_report_parts.py`` compares every page's text).

What makes the parts independent:
- The appendix starts on a recto page (``break-before: recto``, report.css), so its first
  page's side, and with it the margins of every page after, does not depend on how long
  the body is. The appendix part opens with a page holding the running heads' text, then
  a blank verso page, and its appendix starts on its own third page; the body
  part ends with an empty appendix section, whose page is where the contents say the
  appendix starts. Both lead-in pages of one and the last page of the other are dropped
  when the two are joined.
- Page numbers ("page X of Y") are the only thing either part needs from the other: the
  total, and for the appendix the number its pages start from. Each process paginates its
  part, tells its page count, and waits for the other's before WeasyPrint lays out the
  page margins, where those numbers are drawn; nothing in the pages' flow depends on them.

WeasyPrint has no public way to wait there: ``_numbered_after_pagination`` wraps its
``layout_document`` (pinned version, requirements.txt) inside the forked process only.
Whatever goes wrong (not Linux, where forking is safe; a process killed; a join that fails),
``render_in_parts`` has the whole report laid out in the calling process instead.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection

import pikepdf
import weasyprint.document
from weasyprint import HTML
from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)

# Pages the appendix part opens with (the running heads' page and a blank verso page),
# and the body part's last page (its empty appendix section): none is printed.
APPENDIX_LEAD_PAGES = 2
BODY_PLACEHOLDER_PAGES = 1
# A part that has not paginated or drawn its pages by then is given up on.
PART_TIMEOUT = 120  # seconds

# One render at a time in a process, split or whole (``lay_out`` holds it too): forking
# while another thread is inside Pango could hand the child a lock that is never released.
# Renders are bound to the CPU, so two in one process would not finish sooner side by side.
one_render_at_a_time = threading.RLock()


def render_in_parts(
    body_html: str,
    appendix_html: str,
    base_url: str,
    fetcher: URLFetcher,
    whole: Callable[[], tuple[bytes, int]],
    on_paginated: Callable[[], None] = lambda: None,
) -> tuple[bytes, int]:
    """The report's PDF and its page count, from its two parts' HTML laid out at once in
    two forked processes and joined; from ``whole()`` where that cannot be done here."""
    with one_render_at_a_time:
        joined = None
        if sys.platform == "linux":  # fork is the safe default only there
            joined = _render_and_join(body_html, appendix_html, base_url, fetcher, on_paginated)
        return joined if joined is not None else whole()


def _render_and_join(
    body_html: str,
    appendix_html: str,
    base_url: str,
    fetcher: URLFetcher,
    on_paginated: Callable[[], None],
) -> tuple[bytes, int] | None:
    context = multiprocessing.get_context("fork")
    parts = []
    try:
        for html in (body_html, appendix_html):
            ours, theirs = context.Pipe()
            process = context.Process(
                target=_render_part, args=(html, base_url, fetcher, theirs), daemon=True
            )
            process.start()
            theirs.close()
            parts.append((process, ours))
        (_, body), (_, appendix) = parts
        body_pages, appendix_pages = _ready(body).recv(), _ready(appendix).recv()
        body_printed = body_pages - BODY_PLACEHOLDER_PAGES
        total = body_printed + appendix_pages - APPENDIX_LEAD_PAGES
        body.send((0, total))
        appendix.send((body_printed - APPENDIX_LEAD_PAGES, total))
        on_paginated()
        data = join(_ready(body).recv_bytes(), _ready(appendix).recv_bytes())
    except (EOFError, OSError, TimeoutError, pikepdf.PdfError) as error:
        logger.warning("The report could not be rendered in two parts: %s", error)
        return None
    finally:
        for process, connection in parts:
            connection.close()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
    return data, total


def _ready(connection: Connection) -> Connection:
    """The connection, once the other end has sent something to read."""
    if not connection.poll(PART_TIMEOUT):
        raise TimeoutError("a part of the report took too long")
    return connection


def _render_part(html: str, base_url: str, fetcher: URLFetcher, connection: Connection) -> None:
    """In the forked process: paginate, trade page counts with the parent, draw, and end
    at once. It copies a process whose other threads may have held a lock at the moment of
    the fork (a log file's, standard error's), which nobody will ever release here; so it
    logs nothing and leaves without flushing anything or running exit handlers. Should it
    fail, the parent finds the pipe closed, and renders the whole report, error and all."""
    logging.disable(logging.CRITICAL)

    def number_pages(page_count: int) -> tuple[int, int]:
        connection.send(page_count)
        return _ready(connection).recv()

    try:
        weasyprint.document.layout_document = _numbered_after_pagination(
            weasyprint.document.layout_document, number_pages
        )
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
        connection.send_bytes(document.write_pdf())
    except BaseException:  # noqa: BLE001 - whatever it is, the parent renders again
        os._exit(1)
    os._exit(0)


def _numbered_after_pagination(layout_document, number_pages: Callable[[int], tuple[int, int]]):
    """WeasyPrint's ``layout_document``, which paginates the whole document before it
    yields the first page and lays out each page's margins as it yields it, with the page
    counters set in between: page n becomes ``offset + n`` and the total ``total``, where
    ``number_pages(page_count)`` returns ``(offset, total)``."""

    def numbered(html, root_box, context, *args, **kwargs):
        pages = layout_document(html, root_box, context, *args, **kwargs)
        first = next(pages)  # every page made; the first page's margins laid out
        offset, total = number_pages(len(context.page_maker) - 1)
        for number, (*_, page_state, _remake_state) in enumerate(context.page_maker):
            counters = page_state[1]
            counters["page"] = [number + offset]
            counters["pages"] = [total]
        yield first
        yield from pages

    return numbered


def join(body_pdf: bytes, appendix_pdf: bytes) -> bytes:
    """The body's pages but its last, then the appendix's after its lead-in pages, with
    the appendix's named destinations (where the contents' links go) and bookmarks."""
    joined = pikepdf.open(io.BytesIO(body_pdf))
    appendix = pikepdf.open(io.BytesIO(appendix_pdf))
    for _ in range(BODY_PLACEHOLDER_PAGES):
        del joined.pages[-1]
    first_new = len(joined.pages)
    copied = appendix.pages[APPENDIX_LEAD_PAGES:]
    joined.pages.extend(copied)
    # Where each of the appendix's pages now is in the joined document.
    new_index = {page.obj.objgen: first_new + offset for offset, page in enumerate(copied)}
    _join_destinations(joined, appendix, new_index)
    _join_outline(joined, appendix, new_index)
    output = io.BytesIO()
    joined.save(output)
    return output.getvalue()


def _destinations(pdf: pikepdf.Pdf) -> list[tuple[str, pikepdf.Array]]:
    names = pdf.Root.get("/Names", {}).get("/Dests", {}).get("/Names", [])
    return [(str(names[i]), names[i + 1]) for i in range(0, len(names), 2)]


def _join_destinations(
    joined: pikepdf.Pdf, appendix: pikepdf.Pdf, new_index: dict[tuple[int, int], int]
) -> None:
    """One name tree: the body's names whose page is still there, and the appendix's,
    pointed at their pages' copies (the appendix's own name wins: the body's "appendix"
    named its dropped last page)."""
    pages_now = {page.obj.objgen for page in joined.pages}
    entries = {
        name: destination
        for name, destination in _destinations(joined)
        if destination[0].objgen in pages_now
    }
    for name, destination in _destinations(appendix):
        index = new_index.get(destination[0].objgen)
        if index is not None:
            entries[name] = pikepdf.Array([joined.pages[index].obj, *list(destination)[1:]])
    flat = pikepdf.Array()
    for name in sorted(entries):
        flat.append(pikepdf.String(name))
        flat.append(entries[name])
    if "/Names" not in joined.Root:
        joined.Root.Names = pikepdf.Dictionary()
    joined.Root.Names.Dests = pikepdf.Dictionary(Names=flat)


def _join_outline(
    joined: pikepdf.Pdf, appendix: pikepdf.Pdf, new_index: dict[tuple[int, int], int]
) -> None:
    """The appendix's bookmarks under the body's last top-level one (the report's title,
    the only first-level heading), where one render of the whole would put them."""

    def copy(item: pikepdf.OutlineItem) -> pikepdf.OutlineItem | None:
        destination = item.destination
        index = new_index.get(destination[0].objgen) if destination is not None else None
        if index is None:
            return None
        left, top = float(destination[2]), float(destination[3])
        new = pikepdf.OutlineItem(item.title, index, "XYZ", left=left, top=top)
        new.children.extend(c for c in map(copy, item.children) if c is not None)
        return new

    with appendix.open_outline() as source:
        items = [c for c in map(copy, source.root) if c is not None]
    with joined.open_outline() as outline:
        parent = outline.root[-1].children if outline.root else outline.root
        parent.extend(items)
