"""gunicorn reads this file from the directory it starts in (the README's commands run
from the project's root)."""

from app.gc_tuning import freeze_after_start_up
from app.reports.render import warm_up_renderer


def post_worker_init(worker) -> None:
    """Each worker has loaded the app (``worker.wsgi``): warm up the report renderer, then
    freeze what start-up left (app/gc_tuning.py), the warm-up's included."""
    with worker.wsgi.app_context():
        warm_up_renderer()
    freeze_after_start_up()
