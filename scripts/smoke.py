#!/usr/bin/env python3
"""Production smoke test: the portal as an operator runs it, checked as a browser would.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clamtex REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python scripts/smoke.py          # or: make smoke

1. A database of its own (SMOKE_DATABASE, default "clamtex_smoke", on DATABASE_URL's server),
   created afresh and dropped at the end (kept with SMOKE_KEEP_DATABASE=1, for the backup
   check that CI runs next).
2. With the production settings (DJANGO_DEBUG unset): migrate, compile_translations,
   collectstatic; the demo is seeded with DJANGO_DEBUG=1 only for that command (the demo
   accounts have a known password, which production refuses to create).
3. gunicorn with clamtex/gunicorn.conf.py on a loopback port, against PostgreSQL and Redis.
4. Over HTTP, as the TLS proxy would forward it (X-Forwarded-Proto: https): the security
   headers and the HTTPS redirect, the real allauth login form (CSRF token and cookie) as
   a cluster manager, the directory, an event, an exchange, a hashed static file with
   far-future cache headers, /readyz and /metrics, then the admin as the administrator.
   No page may answer 500, and the access log must not contain a secret token.

Prints one line per check and the time taken; exits non-zero on the first failure.
Standard library only (plus what the portal installs), so CI needs nothing more.
"""

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
DEMO_PASSWORD = "clamtex-demo"
MANAGER = "manager.aei@clamtex.example"
ADMIN = "admin@clamtex.example"
SECRET_PROBE = "SmokeSecretToken" + secrets.token_hex(8)
PROBE_REQUEST_ID = "smoke-" + secrets.token_hex(6)

started = time.monotonic()
checks = 0


class SmokeFailure(Exception):
    pass


def check(condition, what):
    global checks
    if not condition:
        raise SmokeFailure(what)
    checks += 1
    print(f"  ok  {what}", flush=True)


def free_port() -> int:
    wanted = os.environ.get("SMOKE_PORT")
    if wanted:
        return int(wanted)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- Database of its own ---------------------------------------------------------------------


def smoke_database_url() -> tuple[str, str]:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "smoke: DATABASE_URL must point at PostgreSQL (the smoke test uses a db of its own)"
        )
    name = os.environ.get("SMOKE_DATABASE", "clamtex_smoke")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}")), urlunsplit(parts._replace(path="/postgres"))


def recreate_database(admin_url: str, name: str, *, drop_only=False) -> None:
    import psycopg2

    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not drop_only:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


# --- A tiny browser: cookies by hand (they are Secure, the hop to gunicorn is plain HTTP) ---


class Browser:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []
        self.statuses: list[tuple[int, str]] = []

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def request(self, method, path, *, body=None, headers=None, https=True):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": f"127.0.0.1:{self.port}", "User-Agent": "clamtex-smoke"}
        if https:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(header)
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        self.statuses.append((response.status, f"{method} {path}"))
        return response, data.decode("utf-8", "replace")

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post_form(self, path, fields, *, referer):
        return self.request(
            "POST",
            path,
            body=urlencode(fields),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + referer,
            },
        )

    def log_in(self, email):
        response, html = self.get("/accounts/login/")
        check(response.status == 200, f"login form answers 200 ({email})")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        check(token and "csrftoken" in self.cookies, "login form carries a CSRF token and cookie")
        response, _ = self.post_form(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token.group(1), "login": email, "password": DEMO_PASSWORD},
            referer="/accounts/login/",
        )
        check(
            response.status == 302 and "sessionid" in self.cookies,
            f"{email} logs in through the allauth form (302, session cookie)",
        )

    def log_out(self):
        response, html = self.get("/accounts/logout/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        self.post_form(
            "/accounts/logout/",
            {"csrfmiddlewaretoken": token.group(1)},
            referer="/accounts/logout/",
        )
        self.cookies.pop("sessionid", None)


# --- The run ---------------------------------------------------------------------------------


def manage(*args, env, debug=False):
    run_env = {**env, "DJANGO_DEBUG": "1"} if debug else env
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=run_env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SmokeFailure(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def wait_until_up(browser: Browser, server: subprocess.Popen, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SmokeFailure("gunicorn exited before answering")
        try:
            response, _ = browser.get("/healthz")
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SmokeFailure("gunicorn did not answer /healthz in time")


def run_checks(browser: Browser, metrics_token: str):
    print("security headers and HTTPS", flush=True)
    response, _ = browser.get("/accounts/login/", https=False)
    check(
        response.status == 301 and response.getheader("Location", "").startswith("https://"),
        "plain HTTP is redirected to HTTPS",
    )
    response, _ = browser.get("/healthz", https=False)
    check(response.status == 200, "/healthz answers plain HTTP probes (no redirect)")
    response, html = browser.get("/accounts/login/")
    hsts = response.getheader("Strict-Transport-Security", "")
    check("max-age=31536000" in hsts and "includeSubDomains" in hsts, f"HSTS ({hsts})")
    check(
        response.getheader("X-Content-Type-Options") == "nosniff", "X-Content-Type-Options: nosniff"
    )
    check(response.getheader("Referrer-Policy") == "same-origin", "Referrer-Policy: same-origin")
    check(response.getheader("X-Frame-Options") == "DENY", "X-Frame-Options: DENY")
    check(bool(response.getheader("X-Request-ID")), "X-Request-ID on every response")
    csrf_cookie = next(h for h in browser.set_cookie_headers if h.startswith("csrftoken="))
    check("Secure" in csrf_cookie, "CSRF cookie is Secure")

    print("static files", flush=True)
    css = re.search(r'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"', html)
    check(css is not None, "pages link the hashed stylesheet")
    response, body = browser.get(css.group(1), headers={"Accept-Encoding": "gzip"})
    cache = response.getheader("Cache-Control", "")
    check(
        response.status == 200 and "immutable" in cache and "max-age=315360000" in cache,
        f"hashed static file cached for ever ({cache})",
    )
    check(response.getheader("Content-Encoding") == "gzip", "static file served compressed")

    print("cluster manager", flush=True)
    browser.log_in(MANAGER)
    session_cookie = next(
        h for h in reversed(browser.set_cookie_headers) if h.startswith("sessionid=")
    )
    check(
        "Secure" in session_cookie and "HttpOnly" in session_cookie,
        "session cookie is Secure and HttpOnly",
    )
    response, html = browser.get("/")
    check(response.status == 200 and "AEI" in html, "dashboard of the manager")
    response, html = browser.get("/members/")
    check(
        response.status == 200 and "/members/organisations/" in html,
        "member directory lists organisations",
    )
    response, html = browser.get("/workshops/")
    check(response.status == 200, "event list")
    event = re.search(r'href="(/workshops/\d+/)"', html)
    check(event is not None, "event list links an event")
    response, html = browser.get(event.group(1))
    check(response.status == 200, f"event page {event.group(1)}")
    response, html = browser.get("/exchange/exchanges/")
    check(response.status == 200, "exchange list")
    exchange = re.search(r'href="(/exchange/exchanges/\d+/)"', html)
    check(exchange is not None, "exchange list links an exchange")
    response, html = browser.get(exchange.group(1))
    check(response.status == 200, f"exchange page {exchange.group(1)}")
    response, _ = browser.get("/admin/")
    check(response.status in (302, 403), "a manager does not get into the admin")
    response, _ = browser.get(
        f"/workshops/feed/{SECRET_PROBE}.ics", headers={"X-Request-ID": PROBE_REQUEST_ID}
    )
    check(response.status == 404, "an unknown calendar feed token is 404")
    check(
        response.getheader("X-Request-ID") == PROBE_REQUEST_ID,
        "the proxy's X-Request-ID is kept",
    )
    browser.log_out()

    print("administrator", flush=True)
    browser.log_in(ADMIN)
    response, html = browser.get("/admin/")
    check(response.status == 200 and "/admin/members/" in html, "admin index")
    response, _ = browser.get("/admin/members/organisation/")
    check(response.status == 200, "admin change list of organisations")

    print("operations", flush=True)
    response, body = browser.get("/readyz")
    check(response.status == 200 and '"status": "ready"' in body, f"/readyz {body.strip()}")
    response, _ = browser.get("/metrics")
    check(response.status == 404, "/metrics is closed without the token")
    response, body = browser.get("/metrics", headers={"Authorization": f"Bearer {metrics_token}"})
    check(
        response.status == 200
        and "django_http_requests_total_by_view_transport_method_total" in body,
        "/metrics with the token",
    )
    check(
        'django_db_execute_total{alias="default",vendor="postgresql"}' in body
        and "django_http_requests_latency_seconds_by_view_method_bucket" in body,
        "/metrics has latencies and PostgreSQL query counts",
    )
    check(
        'clamtex_outbox_emails{status="pending"}' in body
        and 'clamtex_celery_queue_length{queue="celery"}' in body,
        "/metrics has the outbox backlog and the Celery queue length",
    )

    errors = [f"{status} {what}" for status, what in browser.statuses if status >= 500]
    check(not errors, f"no response was a server error ({len(browser.statuses)} requests)")


def main() -> int:
    database_url, admin_url = smoke_database_url()
    name = urlsplit(database_url).path.lstrip("/")
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        raise SystemExit("smoke: REDIS_URL must be set")
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="clamtex-smoke-"))
    metrics_token = secrets.token_urlsafe(24)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "CELERY_TASK_ALWAYS_EAGER"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "clamtex.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
            "SITE_URL": f"https://127.0.0.1:{port}",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "STATIC_ROOT": str(workdir / "static"),
            "MEDIA_ROOT": str(workdir / "media"),
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "METRICS_TOKEN": metrics_token,
            "PROMETHEUS_MULTIPROC_DIR": str(workdir / "prometheus"),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
            "LOG_FORMAT": "json",
            # Settings other work adds (security hardening): the smoke test logs in with a
            # password only, so staff MFA stays off here.
            "MFA_REQUIRED_FOR_STAFF": "0",
            "REAUTHENTICATION_REQUIRED": "0",
        }
    )
    (workdir / "prometheus").mkdir()
    log_path = workdir / "gunicorn.log"
    server = None
    try:
        print(f"smoke: database {name}, port {port}, files in {workdir}", flush=True)
        recreate_database(admin_url, name)
        step = time.monotonic()
        manage("migrate", "--noinput", env=env)
        manage("compile_translations", env=env)
        manage("collectstatic", "--noinput", env=env)
        print(
            f"  ..  migrate + collectstatic (production settings): {time.monotonic() - step:.1f}s",
            flush=True,
        )
        step = time.monotonic()
        manage("seed_demo", env=env, debug=True)
        print(f"  ..  seed_demo: {time.monotonic() - step:.1f}s", flush=True)

        with open(log_path, "w") as log:
            server = subprocess.Popen(
                [GUNICORN, "clamtex.wsgi", "--config", "clamtex/gunicorn.conf.py"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        browser = Browser(port)
        step = time.monotonic()
        wait_until_up(browser, server)
        print(f"  ..  gunicorn answers after {time.monotonic() - step:.1f}s", flush=True)
        run_checks(browser, metrics_token)

        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        access_log = log_path.read_text()
        check(SECRET_PROBE not in access_log, "the logs do not contain the secret token")
        entries = [json.loads(line) for line in access_log.splitlines() if line.startswith("{")]
        probe = [e for e in entries if e.get("request_id") == PROBE_REQUEST_ID]
        check(
            any(
                e["logger"] == "gunicorn.access" and "/workshops/feed/********.ics" in e["message"]
                for e in probe
            ),
            "LOG_FORMAT=json: the access log line has the request id and the masked path",
        )
        check(
            any(e["logger"] == "django.request" and "exception" not in e for e in probe),
            "LOG_FORMAT=json: the 404 is one line with the request id, no traceback",
        )
        check(
            not any(" 500 " in e.get("message", "") for e in entries), "the access log has no 500"
        )
    except SmokeFailure as failure:
        print(f"FAIL {failure}", file=sys.stderr, flush=True)
        if log_path.exists():
            print("--- gunicorn log (last 60 lines) ---", file=sys.stderr)
            print("\n".join(log_path.read_text().splitlines()[-60:]), file=sys.stderr)
        return 1
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if os.environ.get("SMOKE_KEEP_DATABASE") == "1":
            print(f"smoke: database {name} kept (SMOKE_KEEP_DATABASE=1)", flush=True)
        else:
            try:
                recreate_database(admin_url, name, drop_only=True)
            except Exception as exc:  # cleanup must not hide the result
                print(f"smoke: could not drop {name}: {exc}", file=sys.stderr)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"smoke: {checks} checks passed in {time.monotonic() - started:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
