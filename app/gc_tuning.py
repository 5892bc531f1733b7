"""The garbage collector, tuned for a long-lived web process.

Measured in issue 14, the collector took 27–34 % of a report render's wall time: every
young-generation collection walks the objects that survive start-up (modules, compiled
templates, the parsed questionnaires), though none of them will ever be garbage.
``gc.freeze()`` moves them to a generation the collector no longer visits, and a higher
gen-0 threshold makes the collections that remain rarer (a request allocates many short-
lived objects that reference counting frees anyway). bench/scale_postgres.py measures the
pages with and without it.
"""

import gc

# Python's default is 700 allocations; a page allocates tens of thousands of objects.
GEN0_THRESHOLD = 50_000


def freeze_after_start_up() -> None:
    """Collect once, then keep everything alive now out of every later collection."""
    gc.collect()
    gc.freeze()
    _gen0, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
