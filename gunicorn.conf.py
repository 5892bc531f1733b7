"""gunicorn reads this file from the directory it starts in (the README's commands run
from the project's root)."""

from app.gc_tuning import freeze_after_start_up


def post_worker_init(worker) -> None:  # noqa: ARG001 - gunicorn's hook signature
    """Each worker has loaded the app: freeze what start-up left (app/gc_tuning.py)."""
    freeze_after_start_up()
