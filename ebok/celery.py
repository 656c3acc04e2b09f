from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ebok.settings")

app = Celery("ebok")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def warm_up_pdf(**kwargs) -> None:
    """Invoice PDFs are rendered by worker tasks when issued: load WeasyPrint and the fonts
    when a worker process starts, not in its first task."""
    from ebok.pdf import warm_up

    warm_up()
