"""gunicorn settings read from the working directory (`gunicorn ebok.wsgi:application`).

The command line in docker-compose.yml sets the bind address, workers and timeouts.
"""

from __future__ import annotations


def post_worker_init(worker) -> None:
    """Load WeasyPrint and the fonts once per worker, so no served request (a PDF rendered on
    demand when its stored file is missing, a schedule PDF) pays the first-render cost."""
    from ebok.pdf import warm_up

    warm_up()
