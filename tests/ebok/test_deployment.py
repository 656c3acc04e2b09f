"""The production shape as an operator meets it: the README's `check --deploy` is clean, the
compose health check passes against production gunicorn, the image holds no secrets, every
setting can be configured through .env and compose, and `make run` is lean and quiet."""

from __future__ import annotations

import ast
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
VENV_BIN = str(Path(sys.executable).parent)


def _clean_env(**extra: str) -> dict[str, str]:
    """A shell as an operator opens it: nothing from the test settings (which relax HTTPS)."""
    env = {k: os.environ[k] for k in ("HOME", "LANG") if k in os.environ}
    env["PATH"] = os.pathsep.join([VENV_BIN, "/usr/local/bin", "/usr/bin", "/bin"])
    env.update(extra)
    return env


def _production_env(**overrides: str) -> dict[str, str]:
    env = _clean_env(
        DJANGO_SETTINGS_MODULE="ebok.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        MASKED_PASSWORD_PEPPER=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="ebok.example.pl",
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        TWILIO_AUTH_TOKEN=secrets.token_hex(16),
        TWILIO_FROM_NUMBER="+48500100200",
    )
    env.update(overrides)
    return env


def _run(args, env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False, **kwargs
    )


# --- check --deploy (item 22) -----------------------------------------------------------------


def _readme_check_deploy_command() -> str:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"^```bash\n(.*?)^```", readme, flags=re.DOTALL | re.MULTILINE)
    commands = [block for block in blocks if "manage.py check --deploy" in block]
    assert len(commands) == 1, "the README shows one `check --deploy` command"
    return commands[0]


def test_the_readme_check_deploy_command_is_clean():
    command = _readme_check_deploy_command()
    assert "--fail-level WARNING" in command  # a warning fails it, as it would fail this test

    result = _run(["bash", "-euo", "pipefail", "-c", command], env=_clean_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    env.pop("SECRET_KEY")

    result = _run([sys.executable, "manage.py", "check", "--deploy"], env=env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


# --- docker-compose.yml -----------------------------------------------------------------------


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


APP_SERVICES = ("migrate", "web", "worker", "beat")
_INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def _interpolate(value: str, shell: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`."""

    def substitute(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        found = shell.get(name)
        if op in (":?", "?"):
            assert found if op == ":?" else found is not None, f"compose refuses: {arg}"
            return found
        if op == ":-":
            return found or arg
        if op == "-":
            return arg if found is None else found
        return found or ""

    return _INTERPOLATION.sub(substitute, value)


def _container_env(service: str, shell: dict[str, str]) -> dict[str, str]:
    """The environment compose gives the service's container: interpolated values, and a
    variable listed without a value passed from the shell / .env only when set there."""
    resolved = {}
    for name, value in _compose()["services"][service]["environment"].items():
        if value is None:
            if name in shell:
                resolved[name] = shell[name]
        else:
            resolved[name] = _interpolate(str(value), shell)
    return resolved


def test_compose_runs_the_production_services():
    services = _compose()["services"]

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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def production_gunicorn(django_db_setup, tmp_path_factory):
    """The compose `web` command with the compose environment (DEBUG off, HTTPS redirect on,
    ALLOWED_HOSTS the public host), on a free loopback port instead of 8000. The compose host
    names `postgres` and `redis` resolve only inside the compose network: here they are this
    machine's test database and Redis (only the readiness probe talks to them)."""
    web = _compose()["services"]["web"]
    port = _free_port()
    command = [
        f"--bind=127.0.0.1:{port}" if arg == "--bind=0.0.0.0:8000" else arg
        for arg in web["command"]
    ]
    assert f"--bind=127.0.0.1:{port}" in command

    shell = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "MASKED_PASSWORD_PEPPER": secrets.token_urlsafe(40),
        "POSTGRES_PASSWORD": "compose-password",
    }
    env = _clean_env(**_container_env("web", shell))
    db = connection.settings_dict  # the test database (the tests using this are django_db)
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )
    env["REDIS_URL"] = settings.REDIS_URL
    # gunicorn puts its control socket under $HOME: not the one of a gunicorn running beside.
    env["HOME"] = str(tmp_path_factory.mktemp("gunicorn-home"))
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        # Up when a worker answers (anything, here the HTTPS redirect): the compose health
        # check's start period covers the same boot time.
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, log.read_text()
            try:
                _get(port, "/", host="ebok.example.pl")
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.5)
        yield port, env, log
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.django_db
def test_the_compose_health_check_passes_against_production_gunicorn(production_gunicorn):
    port, env, log = production_gunicorn
    web = _compose()["services"]["web"]
    kind, *argv = web["healthcheck"]["test"]
    assert kind == "CMD"
    # The probe targets the port gunicorn binds in the container; here: the free port.
    assert "--bind=0.0.0.0:8000" in web["command"]
    probe = [arg.replace("127.0.0.1:8000/", f"127.0.0.1:{port}/") for arg in argv]
    assert probe != argv

    result = _run(probe, env=env)

    assert result.returncode == 0, result.stderr + log.read_text()


def _get(port: int, path: str, host: str | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if host:
        request.add_header("Host", host)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.django_db
def test_the_probes_answer_any_host_over_plain_http_and_other_pages_redirect(production_gunicorn):
    port, _env, log = production_gunicorn

    assert _get(port, "/health/live", host="10.0.0.7:8000")[0] == 200
    status, _headers, body = _get(port, "/health/ready", host="10.0.0.7:8000")
    assert status == 200, body + log.read_bytes()
    assert json.loads(body) == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }
    # Everything else keeps the production rules: plain HTTP is redirected to HTTPS. (A
    # foreign host's 400 page needs the image's collected static files: see test_outage.)
    status, headers, _body = _get(port, "/", host="ebok.example.pl")
    assert (status, headers["Location"]) == (301, "https://ebok.example.pl/")


# --- .dockerignore (item 21) ------------------------------------------------------------------


def _dockerignore_regex(pattern: str) -> re.Pattern:
    """Docker's pattern syntax (moby/patternmatcher): Go's filepath.Match, where `*` and `?`
    stay within one path segment, plus `**` for any number of segments."""
    pattern = os.path.normpath(pattern.strip().lstrip("/"))
    regex, i = "", 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):
                i += 1
            regex += ".*" if i >= len(pattern) else "(.*/)?"
            continue
        if char == "*":
            regex += "[^/]*"
        elif char == "?":
            regex += "[^/]"
        elif char == "[":
            end = pattern.index("]", i)
            regex += pattern[i : end + 1]
            i = end
        elif char == "\\":
            i += 1
            regex += re.escape(pattern[i])
        else:
            regex += re.escape(char)
        i += 1
    return re.compile(f"^{regex}$")


def _dockerignore() -> list[tuple[bool, re.Pattern]]:
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        rules.append((negated, _dockerignore_regex(line.lstrip("!"))))
    return rules


def _excluded(path: str, rules: list[tuple[bool, re.Pattern]]) -> bool:
    """A path is out of the context when the last rule matching it, or one of its parent
    directories, excludes it."""
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    excluded = False
    for negated, regex in rules:
        if any(regex.match(candidate) for candidate in candidates):
            excluded = not negated
    return excluded


def _build_context(rules) -> list[str]:
    assert not any(negated for negated, _regex in rules), "the walk below prunes directories"
    files = []
    for directory, dirnames, filenames in os.walk(ROOT):
        relative = Path(directory).relative_to(ROOT).as_posix()
        prefix = "" if relative == "." else f"{relative}/"
        dirnames[:] = [d for d in dirnames if not _excluded(prefix + d, rules)]
        files += [prefix + f for f in filenames if not _excluded(prefix + f, rules)]
    return files


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".env.production",
        "ebok/.env",
        ".venv/bin/python",
        "db.sqlite3",
        "db.sqlite3-journal",
        "var/media/invoices/2026/FV-1.pdf",
        "var/static/css/ebok.css",
        ".git/config",
        "ebok/__pycache__/settings.cpython-311.pyc",
        "tests/conftest.py",
        ".pytest_cache/README.md",
    ],
)
def test_the_build_context_leaves_out(path):
    assert _excluded(path, _dockerignore())


@pytest.mark.parametrize(
    "path",
    [
        "manage.py",
        "pyproject.toml",
        "README.md",
        "ebok/settings.py",
        "accounts/migrations/0001_initial.py",
        "templates/500.html",
        "static/css/ebok.css",
        "ebok/locale/en/LC_MESSAGES/django.mo",
    ],
)
def test_the_build_context_keeps(path):
    assert not _excluded(path, _dockerignore())


def test_the_build_context_of_this_checkout_holds_no_secret_database_or_virtualenv():
    context = _build_context(_dockerignore())

    assert "manage.py" in context
    leaked = [
        path
        for path in context
        if re.search(r"(^|/)(\.env[^/]*|\.venv|var|\.git|__pycache__)(/|$)|\.sqlite3", path)
    ]
    assert leaked == []
    # Everything the Dockerfile copies by name is in the context.
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY ") and " . " not in line:
            for source in line.split()[1:-1]:
                assert source in context, source


# --- Every setting configurable in production (item 24) ---------------------------------------

# Read by the settings but deliberately not passed in production.
NOT_FOR_PRODUCTION = {
    "TWILIO_API_BASE_URL": "tests and staging point the Twilio SDK at a fake endpoint",
    "CELERY_TASK_ALWAYS_EAGER": "the embedded default runs tasks in-process, production a worker",
}
# Read by compose itself, not by the settings.
COMPOSE_ONLY = {"POSTGRES_PASSWORD"}


def _settings_environment_names() -> set[str]:
    """Every NAME in `env.<cast>("NAME", ...)`, `env("NAME")`, `os.environ["NAME"]`,
    `os.environ.get("NAME")` and `os.getenv("NAME")` in ebok/settings.py."""

    def is_env_reader(func: ast.expr) -> bool:
        dotted = ast.unparse(func)
        return (
            dotted == "env"
            or (isinstance(func, ast.Attribute) and ast.unparse(func.value) == "env")
            or dotted in ("os.environ.get", "os.getenv", "os.environ.setdefault")
        )

    names = set()
    for node in ast.walk(ast.parse((ROOT / "ebok" / "settings.py").read_text())):
        key = None
        if isinstance(node, ast.Call) and is_env_reader(node.func) and node.args:
            key = node.args[0]
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            names.add(key.value)
    return names


def _env_example_names() -> set[str]:
    # Set lines and commented-out lines showing the default both document a variable.
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_the_settings_scan_finds_the_settings():
    names = _settings_environment_names()

    assert {"SECRET_KEY", "DATABASE_URL", "MASKED_PASSWORD_PEPPER", "PUBLIC_BASE_URL"} <= names
    assert len(names) > 40


def test_env_example_lists_every_variable_the_settings_read():
    production = _settings_environment_names() - set(NOT_FOR_PRODUCTION)
    listed = _env_example_names()

    assert sorted(production - listed) == []
    assert sorted(listed - production - COMPOSE_ONLY) == []  # no typo, nothing stale


@pytest.mark.parametrize("service", APP_SERVICES)
def test_compose_passes_every_variable_the_settings_read(service):
    production = _settings_environment_names() - set(NOT_FOR_PRODUCTION)
    passed = set(_compose()["services"][service]["environment"])

    assert sorted(production - passed) == []
    assert sorted(passed - production) == []


def test_the_readme_documents_every_variable_the_settings_read():
    readme = (ROOT / "README.md").read_text()

    assert sorted(n for n in _settings_environment_names() if f"`{n}`" not in readme) == []


def test_a_variable_set_in_env_reaches_the_containers_and_an_unset_one_keeps_its_default():
    shell = {
        "SECRET_KEY": "s",
        "MASKED_PASSWORD_PEPPER": "p",
        "POSTGRES_PASSWORD": "pw",
        "PUBLIC_BASE_URL": "https://ebok.leasing.pl",
    }

    for service in ("web", "worker", "beat"):
        env = _container_env(service, shell)
        assert env["PUBLIC_BASE_URL"] == "https://ebok.leasing.pl"
        assert "INVOICE_PAYMENT_TERM_DAYS" not in env  # unset: the settings' default applies
        assert env["DATABASE_URL"] == "postgres://ebok:pw@postgres:5432/ebok"


# --- make run (item 25) -----------------------------------------------------------------------


def _make_dry_run(target: str) -> str:
    result = _run(["make", "--dry-run", "--always-make", target], env=_clean_env())
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_installs_only_what_running_needs():
    run = _make_dry_run("run")
    test = _make_dry_run("test")

    assert "pip install --quiet -e .\n" in run
    assert "[dev]" not in run
    assert 'pip install --quiet -e ".[dev]"' in test


def test_the_embedded_default_sends_a_task_without_a_broker_warning():
    # What `make run` runs: no DATABASE_URL, no REDIS_URL; tasks run in-process.
    script = (
        "import django; django.setup()\n"
        "from ebok.celery import app\n"
        "@app.task(name='tests.deployment.probe')\n"
        "def probe():\n"
        "    return 'ran in process'\n"
        "print(probe.delay().get())\n"
    )
    env = _clean_env(DJANGO_SETTINGS_MODULE="ebok.settings")

    result = _run([sys.executable, "-c", script], env=env)

    assert result.returncode == 0, result.stderr
    assert "ran in process" in result.stdout
    output = result.stdout + result.stderr
    assert "No hostname was supplied" not in output
    assert "WARNING" not in output
    assert "Warning" not in output
