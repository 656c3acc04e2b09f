"""Settings of a Celery worker process that the fault tests start (tests/ebok/workers.py):
the test settings, with the test's media folder and tasks going through Redis."""

from __future__ import annotations

import os
from pathlib import Path

from ebok.settings_test import *  # noqa: F403

MEDIA_ROOT = Path(os.environ["MEDIA_ROOT"])
CELERY_TASK_ALWAYS_EAGER = False
