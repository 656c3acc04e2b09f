"""The production shape: `check --deploy` is clean and docker-compose.yml runs what exists."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _production_env(**overrides: str) -> dict[str, str]:
    # A clean environment: nothing leaks in from the test settings (which relax HTTPS).
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="ebok.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        MASKED_PASSWORD_PEPPER=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="ebok.example.pl",
        CSRF_TRUSTED_ORIGINS="https://ebok.example.pl",
        DATABASE_URL="postgres://ebok:secret@127.0.0.1:5432/ebok",
        REDIS_URL="redis://127.0.0.1:6379/0",
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        TWILIO_AUTH_TOKEN=secrets.token_hex(16),
        TWILIO_FROM_NUMBER="+48500100200",
        EMAIL_URL="smtp+tls://ebok:secret@smtp.example.pl:587",
    )
    env.update(overrides)
    return env


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_variables():
    result = _check_deploy(_production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    env.pop("SECRET_KEY")

    result = _check_deploy(env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_compose_runs_the_production_services():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]

    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert "gunicorn" in services["web"]["command"]
    assert "ebok.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "ebok", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "ebok", "beat"]
    web_env = services["web"]["environment"]
    assert web_env["DEBUG"] == "false"
    assert web_env["DATABASE_URL"].startswith("postgres://")
    assert web_env["REDIS_URL"].startswith("redis://redis:6379")
    # The exposed ports are the ones the test command defaults to.
    assert "127.0.0.1:5432:5432" in services["postgres"]["ports"]
    assert "127.0.0.1:6379:6379" in services["redis"]["ports"]
    assert (ROOT / "Dockerfile").exists()
