"""The web process freezes what start-up left before serving (app/gc_tuning.py; its effect
is measured by bench/scale_postgres.py)."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

from app.gc_tuning import GEN0_THRESHOLD, freeze_after_start_up

ROOT = Path(__file__).resolve().parent.parent


def test_start_up_objects_are_frozen_and_collections_made_rarer():
    threshold = gc.get_threshold()
    try:
        freeze_after_start_up()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (GEN0_THRESHOLD, *threshold[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_gunicorn_freezes_each_worker_once_it_has_loaded_the_app():
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    threshold = gc.get_threshold()
    try:
        hooks["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
