"""Demo data: the context the apps' seeders share, and their discovery.

Each app that has demo data provides a `demo.py` module with `seed(ctx: DemoContext) -> None`.
`manage.py seed_demo` imports those modules the way the admin discovers `admin.py` (this module
imports no app), and calls them in INSTALLED_APPS order, the bottom layer first, so a seeder
can rely on the data of the apps below it (contracts on companies, invoices on contracts).

Rules for a seeder: deterministic (draw random numbers only from `ctx.random(key)`), dates
relative to `ctx.today`, idempotent (skip what exists, keyed on natural keys such as client
and contract numbers), and data built through the app's services.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import module_has_submodule

SEED = 20261121  # a fixed seed: the same data on every run and every machine


@dataclass
class DemoContext:
    today: dt.date
    scale: int = 0  # contracts of the large benchmark company (0 = none)
    debug: bool = False  # demo back-office credentials are only created with DEBUG on
    log: Callable[[str], None] = print
    summary: dict[str, list[str]] = field(default_factory=dict)

    def random(self, key: str) -> random.Random:
        """A generator of its own for `key`: data for one company does not shift another's."""
        return random.Random(f"{SEED}:{key}")

    def note(self, section: str, line: str) -> None:
        """A line for the summary printed at the end (e.g. demo sign-in credentials)."""
        self.summary.setdefault(section, []).append(line)


def demo_seeders() -> list[tuple[str, Callable[[DemoContext], None]]]:
    """The `seed` functions of the installed apps' `demo` modules, bottom layer first."""
    seeders = []
    project = Path(settings.BASE_DIR).resolve()
    for app_config in apps.get_app_configs():
        root = import_module(app_config.name.partition(".")[0])
        if not root.__file__ or Path(root.__file__).resolve().parent.parent != project:
            continue  # only the project's own apps (contracts.fleet too); not third-party ones
        if module_has_submodule(app_config.module, "demo"):
            module = import_module(f"{app_config.name}.demo")
            if callable(getattr(module, "seed", None)):
                seeders.append((app_config.label, module.seed))
    return seeders
