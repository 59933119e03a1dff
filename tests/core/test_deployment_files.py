"""Dockerfile and compose.yaml follow the production path of `make serve` (Procfile).

No container engine runs here, so these read the files: the same commands as the
Procfile, static files built at image build with the production settings, a non-root user,
a bucket service, and nothing secret or local copied into the image."""

import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def procfile(name="Procfile") -> dict[str, list[str]]:
    processes = {}
    for line in (ROOT / name).read_text().splitlines():
        if line and not line.startswith("#"):
            process, command = line.split(":", 1)
            processes[process] = shlex.split(command)
    return processes


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def dockerfile():
    # One instruction per item: continuation lines joined.
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def _program(args: list[str]) -> list[str]:
    """The command without the options an environment tunes (--loglevel=…, --concurrency=…)."""
    return [arg for arg in args if "=" not in arg]


def test_procfile_runs_gunicorn_a_worker_and_one_beat():
    processes = procfile()
    assert set(processes) == {"web", "worker", "beat"}
    assert processes["web"] == ["gunicorn", "clamtex.wsgi", "--config", "clamtex/gunicorn.conf.py"]
    assert _program(processes["worker"]) == ["celery", "-A", "clamtex", "worker"]
    assert _program(processes["beat"]) == ["celery", "-A", "clamtex", "beat"]
    # Development mode is explicit: only the development Procfile says DJANGO_DEBUG=1.
    assert all("DJANGO_DEBUG=1" not in args for args in processes.values())
    assert all(args[0] == "DJANGO_DEBUG=1" for args in procfile("Procfile.dev").values())


def test_compose_services_run_the_procfile_commands(compose):
    services = compose["services"]
    processes = procfile()
    for name in ("web", "worker", "beat"):
        assert _program(shlex.split(services[name]["command"])) == _program(processes[name])
    assert "DJANGO_DEBUG" not in services["web"]["environment"]
    # Migrations once, before the processes; a private bucket for the files.
    assert services["migrate"]["command"] == "python manage.py migrate --noinput"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    environment = services["web"]["environment"]
    assert environment["S3_BUCKET"] and environment["S3_ENDPOINT_URL"] == "http://minio:9000"
    assert "mc anonymous set none" in services["bucket"]["entrypoint"]
    assert environment["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")


def test_the_image_builds_static_files_and_runs_as_a_non_root_user(dockerfile):
    build = next(i for i in dockerfile if i.startswith("RUN") and "collectstatic" in i)
    assert "DJANGO_DEBUG" not in build  # production settings, placeholder key
    assert "compile_translations" in build
    users = [i.split()[1] for i in dockerfile if i.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    cmd = next(i for i in dockerfile if i.startswith("CMD ["))
    assert yaml.safe_load(cmd.removeprefix("CMD ")) == procfile()["web"]
    assert any(i.startswith("HEALTHCHECK") and "/healthz" in i for i in dockerfile)


def test_nothing_secret_or_local_is_copied_into_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for pattern in (".env", "var", ".venv", ".git"):
        assert pattern in ignored, pattern
    assert "!.env.example" in ignored


def test_the_readme_describes_the_same_stack():
    readme = (ROOT / "README.md").read_text()
    production = readme.split("## Production", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"`make serve`.*gunicorn.*Celery worker.*beat", production, re.DOTALL)
    assert "`Dockerfile` and `compose.yaml`" in production
    assert "non-root" in production and "MinIO" in production
