"""Helpers for the tests of export jobs under faults: a broker that is down, a real Celery
worker in its own process (to be killed with SIGKILL or stopped with SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from ebok.celery import app

# Nothing listens on port 1: connecting is refused at once, as with a stopped Redis.
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Send tasks to `url` instead of the configured broker (tasks really go through it)."""
    old_url, old_eager = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    _drop_connection_pools()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = old_url, old_eager
        _drop_connection_pools()


def _drop_connection_pools() -> None:
    # The app caches its connection and producer pools, each bound to the broker URL.
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def tasks_through_redis() -> Iterator[None]:
    """Tasks sent from this test go to Redis for a worker, instead of running in-process."""
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "worker tests need REDIS_URL"
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


def wait_for(condition: Callable[[], object], *, timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _database_url() -> str:
    db = connection.settings_dict  # the test database, not the configured one
    credentials = quote(db["USER"] or "postgres")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class WorkerProcess:
    """`celery -A ebok worker` as the production shape runs it, on the test database."""

    def __init__(
        self,
        *,
        media_root: Path,
        log_path: Path,
        pool: str = "solo",
        settings_module: str = "tests.ebok.worker_settings",
        broker_url: str = "",
    ) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": broker_url or settings.CELERY_BROKER_URL,
            "MEDIA_ROOT": str(media_root),
        }
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "ebok",
                "worker",
                "--pool",
                pool,
                "--concurrency",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
                "--hostname",
                f"test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def pool_child_pid(self) -> int:
        """The prefork pool's child process (the one running the task)."""

        def child() -> int | None:
            path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
            pids = path.read_text().split() if path.exists() else []
            return int(pids[0]) if pids else None

        return wait_for(child, timeout=60, what="the pool child")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
        self._log.close()


@contextmanager
def worker_process(
    *,
    media_root: Path,
    log_path: Path,
    pool: str = "solo",
    settings_module: str = "tests.ebok.worker_settings",
    broker_url: str = "",
):
    worker = WorkerProcess(
        media_root=media_root,
        log_path=log_path,
        pool=pool,
        settings_module=settings_module,
        broker_url=broker_url,
    )
    try:
        yield worker
    finally:
        worker.stop()
