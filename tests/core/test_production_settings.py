"""Production is the default: the settings refuse to start without a real secret key and a
host list, pass Django's deployment checks with the documented environment, and build the
static files that WhiteNoise then serves under hashed names with far-future headers.

These run manage.py in a child process: the test process itself is in development mode
(pytest-env sets DJANGO_DEBUG=1 before the settings are imported)."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from clamtex import settings as settings_module

BASE_DIR = Path(settings.BASE_DIR)


def production_env(**overrides):
    """The documented production environment (.env.example), without DJANGO_DEBUG."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env = {
        **base,
        "DJANGO_SETTINGS_MODULE": "clamtex.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        "SITE_URL": "https://portal.example.org",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args, env, timeout=120):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_debug_is_off_unless_django_debug_is_1():
    """Without DJANGO_DEBUG the settings are production (the child process proves it)."""
    code = "from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def test_production_settings_pass_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "secret_key",
    [None, "", settings_module.DEVELOPMENT_SECRET_KEY],
    ids=["unset", "empty", "development-key"],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key):
    result = manage("check", env=production_env(DJANGO_SECRET_KEY=secret_key))

    assert result.returncode != 0
    # One clear line naming the variable: no traceback, not the key itself.
    assert result.stderr.splitlines() == [
        "ImproperlyConfigured: DJANGO_SECRET_KEY must be set to a secret value (50+ random "
        "characters, not the development key) when DJANGO_DEBUG is not 1."
    ]


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("migrate", env=production_env(DJANGO_ALLOWED_HOSTS=" , "))

    assert result.returncode != 0
    assert result.stderr.startswith("ImproperlyConfigured: DJANGO_ALLOWED_HOSTS must name")
    assert len(result.stderr.splitlines()) == 1


def test_gunicorn_refuses_to_start_without_a_secret_key_in_one_line():
    """The master reads the settings (clamtex/gunicorn.conf.py on_starting): no worker
    boots, and the log says which variable is missing once, without a traceback."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [str(gunicorn), "clamtex.wsgi", "--config", "clamtex/gunicorn.conf.py"],
        cwd=BASE_DIR,
        env=production_env(DJANGO_SECRET_KEY=None, GUNICORN_BIND="127.0.0.1:0"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert output.count("ImproperlyConfigured: DJANGO_SECRET_KEY must be set") == 1, output
    assert "Traceback" not in output and "Booting worker" not in output, output


def test_development_mode_needs_no_variable():
    env = production_env(DJANGO_DEBUG="1", DJANGO_SECRET_KEY=None, DJANGO_ALLOWED_HOSTS=None)
    result = manage("check", env=env)

    assert result.returncode == 0, result.stderr


# --- Static files in production ------------------------------------------------------------


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """collectstatic exactly as an operator runs it (DJANGO_DEBUG unset), once per session."""
    root = tmp_path_factory.mktemp("staticfiles")
    result = manage(
        "collectstatic", "--noinput", env=production_env(STATIC_ROOT=str(root)), timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def test_collectstatic_builds_a_manifest_in_production(collected_static):
    manifest = collected_static / "staticfiles.json"
    assert manifest.is_file()
    text = manifest.read_text()
    for name in (
        "vendor/bootstrap/bootstrap.min.css",
        "vendor/bootstrap/bootstrap.bundle.min.js",
        "vendor/chartjs/chart.umd.min.js",
        "vendor/htmx/htmx.min.js",
        "css/portal.css",
    ):
        assert f'"{name}"' in text
    # Compressed copies for the clients that accept them.
    assert list(collected_static.glob("vendor/bootstrap/bootstrap.min.*.css.gz"))
    # WeasyPrint brings `brotli`; Brotli copies (slow to build) only with STATIC_BROTLI=1.
    assert not list(collected_static.rglob("*.br"))


@pytest.fixture
def production_static(settings, collected_static):
    settings.DEBUG = False
    settings.STATIC_ROOT = collected_static
    settings.WHITENOISE_AUTOREFRESH = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "clamtex.core.staticfiles.ManifestStaticFilesStorage"},
    }
    return collected_static


@pytest.mark.django_db
def test_pages_link_hashed_files_that_whitenoise_serves_for_ever(client, production_static):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    match = re.search(
        r'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"', page.text
    )
    assert match, "the page does not link the hashed stylesheet"

    response = client.get(match.group(1), HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] == "gzip"
    b"".join(response.streaming_content)  # closes the file


@pytest.mark.django_db
def test_unhashed_names_are_served_with_a_short_cache(client, production_static):
    response = client.get("/static/css/portal.css")

    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]
    b"".join(response.streaming_content)


def test_vendored_files_match_their_recorded_versions():
    """static/vendor/VERSIONS lists what scripts/vendor_static.py wrote: same bytes, and no
    file names a source map that is not there (collectstatic would fail on it)."""
    result = subprocess.run(
        [sys.executable, "scripts/vendor_static.py", "--check"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    versions = (BASE_DIR / "static" / "vendor" / "VERSIONS").read_text()
    assert "bootstrap\t5.3.9\tbootstrap/bootstrap.min.css\t" in versions
    for path in (BASE_DIR / "static" / "vendor").rglob("*.*s"):
        if path.suffix in {".js", ".css"}:
            assert b"sourceMappingURL" not in path.read_bytes(), path


@pytest.mark.parametrize(
    ("redis_url", "engine"),
    [
        ("redis://127.0.0.1:6379/1", "django.contrib.sessions.backends.cached_db"),
        ("", "django.contrib.sessions.backends.db"),
    ],
)
def test_sessions_are_shared_by_every_node(redis_url, engine):
    """With Redis, sessions are cached there and kept in PostgreSQL: any web node reads
    them, and a Redis restart logs nobody out."""
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=BASE_DIR,
        env=production_env(REDIS_URL=redis_url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == engine


def test_makemigrations_loads_without_production_secrets_but_serving_commands_refuse():
    """Offline commands (migrations, catalogues) need no secrets; `check` still refuses."""
    env = production_env(DJANGO_SECRET_KEY=None, DJANGO_ALLOWED_HOSTS=None)
    offline = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert offline.returncode == 0, offline.stderr
    serving = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert serving.returncode != 0 and "DJANGO_SECRET_KEY" in serving.stderr


# --- The environment is documented ----------------------------------------------------------

READERS = {"os.environ.get", "os.getenv", "os.environ.setdefault", "env_bool", "env_list"}
# Set by the Makefile and the process files, not by an operator.
NOT_OPERATOR_SETTINGS = {"DJANGO_SETTINGS_MODULE", "HOST", "PORT"}


def _variables_read_by_the_portal() -> set[str]:
    import ast

    names = set()
    for path in (BASE_DIR / "clamtex").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and ast.unparse(node.func) in READERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names.add(node.args[0].value)
            elif (
                isinstance(node, ast.Subscript)
                and ast.unparse(node.value) == "os.environ"
                and isinstance(node.slice, ast.Constant)
            ):
                names.add(node.slice.value)
    return names


def test_every_environment_variable_is_in_env_example():
    """README: ".env.example lists them all" – every variable the settings, gunicorn's
    config and the core modules read."""
    names = _variables_read_by_the_portal()
    assert {"DJANGO_SECRET_KEY", "GUNICORN_KEEPALIVE", "BEAT_LOCK_TTL"} <= names  # the scan works
    example = (BASE_DIR / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    assert names - NOT_OPERATOR_SETTINGS - listed == set()


def test_the_readme_table_names_the_production_variables():
    readme = (BASE_DIR / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    for name in (
        "DJANGO_DEBUG",
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "SITE_URL",
        "PORTAL_NAME",
        "DATABASE_URL",
        "REDIS_URL",
        "S3_BUCKET",
        "WEB_CONCURRENCY",
        "GUNICORN_WORKER_CLASS",
        "CELERY_CONCURRENCY",
        "LOG_FORMAT",
        "METRICS_TOKEN",
        "SENTRY_DSN",
    ):
        assert f"| `{name}`" in table or f", `{name}`" in table, name
    for section in ("`make serve`", "## Scaling out", "(docs/operations.md)"):
        assert section in readme, section


def test_env_example_reads_the_same_in_honcho():
    """`make serve` and `make run` start honcho, which reads .env (a copy of .env.example)
    with shlex: a value with spaces must be quoted or it loses them ("CLAMTEXPortal")."""
    from honcho.environ import parse

    example = (BASE_DIR / ".env.example").read_text()
    parsed = parse(example)
    for line in example.splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]+)=(.*?)\s*(?:\s#.*)?$", line)
        if not match or not match.group(2):
            continue  # empty values are skipped by honcho: the default applies
        name, value = match.groups()
        assert parsed.get(name) == value.strip('"'), name
    assert parsed["PORTAL_NAME"] == "CLAMTEX Portal"
