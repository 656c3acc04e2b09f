"""The benchmark's own PostgreSQL database."""

from __future__ import annotations


def ensure_database() -> None:
    """Create the benchmark database if it is missing (it is kept between runs)."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(
        dbname="postgres",
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"],
        port=db["PORT"] or 5432,
        autocommit=True,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if exists.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def analyze() -> None:
    """Fresh planner statistics after bulk loads, as autovacuum would have in production."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
