"""`make bench`: every page and job at the scale of the European cluster landscape.

On PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/clamtex_bench)
and Redis (REDIS_URL, default redis://127.0.0.1:6379/0) with production settings:

1. creates the database if needed, migrates, seeds the demo and `seed_scale --scale SCALE`
   (a database seeded at another scale is dropped and seeded again);
2. starts gunicorn (2 sync workers) and, for every page, runs wrk on a bare Django view
   then on the page (interleaved, BENCH_ROUNDS rounds, medians); queries per request are
   counted in-process with the test client;
3. runs each job in its own process (seconds and peak RSS);
4. prints a table with the targets and writes var/bench/results.json.

Environment: SCALE (1.0), BENCH_SECONDS per wrk run (5), BENCH_ROUNDS (3),
BENCH_THREADS (2), BENCH_CONNECTIONS (16), BENCH_PORT (8131), BENCH_SKIP_SEED=1,
BENCH_SKIP_PAGES=1, BENCH_SKIP_JOBS=1.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

BASE = Path(__file__).resolve().parent.parent
OUT = BASE / "var" / "bench"
PY = sys.executable
SCALE = float(os.environ.get("SCALE", "1.0"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
PORT = int(os.environ.get("BENCH_PORT", "8131"))
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clamtex_bench")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

# Targets of issue 11 (ratios to the bare view measured in the same run).
DIRECTORY_RATIO, DIRECTORY_P95 = 0.10, 50
PAGE_RATIO, PAGE_P95 = 0.05, 100
MAX_QUERIES = 10
JOB_TARGETS = {
    "export_csv": (5, 150),
    "export_xlsx": (20, 150),
    "report_pdf_xlsx": (30, 300),
    "reminders_workshops": (10, None),
    "reminders_exchange": (10, None),
    "outbox_enqueue": (10, None),
}

LUA = """
done = function(summary, latency, requests)
  io.write(string.format(
    "BENCHWRK {\\"requests\\": %d, \\"duration_us\\": %d, \\"p50_us\\": %d, \\"p95_us\\": %d, "
    .. "\\"bad_status\\": %d, \\"socket_errors\\": %d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def production_env() -> dict:
    """Production settings, whatever the defaults of settings.py are."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="clamtex.settings",
        DATABASE_URL=DB_URL,
        REDIS_URL=REDIS_URL,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-only-secret-key-not-for-production-0123456789abcdef",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
        MFA_REQUIRED_FOR_STAFF="0",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        BENCH="1",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(*args, debug: bool = False, check: bool = True):
    env = production_env()
    if debug:
        env["DJANGO_DEBUG"] = "1"
    return subprocess.run([PY, "manage.py", *args], cwd=BASE, env=env, check=check)


# --- 1. The database ----------------------------------------------------------------------


def _pg(dbname: str):
    import psycopg2

    url = urlparse(DB_URL)
    conn = psycopg2.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=dbname,
    )
    conn.autocommit = True
    return conn


def prepare_database():
    name = urlparse(DB_URL).path.lstrip("/")
    admin = _pg("postgres")
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cur.fetchone() is not None
    if exists:
        conn = _pg(name)
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('members_partnership') IS NOT NULL")
            has_tables = cur.fetchone()[0]
            seeded = None
            if has_tables:
                cur.execute(
                    "SELECT description FROM members_partnership WHERE acronym = 'SCALE-01'"
                )
                row = cur.fetchone()
                seeded = row[0] if row else None
        conn.close()
        if seeded and seeded != f"seed_scale {SCALE}":
            print(f"database {name} holds another scale ({seeded}); recreating it")
            with admin.cursor() as cur:
                cur.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
    if not exists:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    manage("migrate", "--noinput", "-v0")
    manage("seed_demo", debug=True, check=True).check_returncode()
    started = time.perf_counter()
    manage("seed_scale", "--scale", str(SCALE), debug=True)
    print(f"seed_scale --scale {SCALE}: {time.perf_counter() - started:.1f}s")
    manage("collectstatic", "--noinput", "-v0")


# --- 2. Pages -----------------------------------------------------------------------------


def setup_django():
    os.environ.update(production_env())
    sys.path.insert(0, str(BASE))
    import django

    django.setup()


def sessions() -> dict:
    """A session per role, created the way login does (no password round trip)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    from members.models import User

    store_class = import_string(settings.SESSION_ENGINE + ".SessionStore")
    roles = {
        "admin": "admin@clamtex.example",
        "coordinator": "coordinator@clamtex.example",
        "manager": "manager.aei@clamtex.example",
        "member": "sme.aei@clamtex.example",
    }
    out = {}
    for role, email in roles.items():
        user = User.objects.get(email=email)
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        out[role] = store.session_key
    return out


def pages() -> list[tuple[str, str, str, bool]]:
    """(name, role, path, is_directory)."""
    from clamtex.core.scale import big_event_id
    from exchange.models import Exchange
    from members.models import Organisation

    org = Organisation.objects.filter(vat_number="SC000000001").first()
    exchange = Exchange.objects.order_by("pk").first()
    deep = max(2, round(2000 * SCALE))
    out = []
    for role in ("coordinator", "manager"):
        out += [
            (f"directory_{role}", role, "/members/", True),
            (f"directory_search_{role}", role, "/members/?q=textil", True),
            (f"directory_filter_{role}", role, "/members/?country=ES&org_type=sme", True),
            (f"directory_deep_{role}", role, f"/members/?page={deep}", True),
        ]
    out += [
        ("organisation_page", "coordinator", f"/members/organisations/{org.pk}/", False),
        ("event_list", "coordinator", "/workshops/", False),
        ("calendar", "coordinator", "/workshops/calendar/", False),
        ("participants_500", "manager", f"/workshops/{big_event_id()}/participants/", False),
        ("review_queue", "coordinator", "/exchange/review/", False),
        ("exchange_page", "coordinator", f"/exchange/exchanges/{exchange.pk}/", False),
        ("programme_dashboard", "coordinator", "/projects/", False),
        ("home_coordinator", "coordinator", "/", False),
        ("home_manager", "manager", "/", False),
        ("home_member", "member", "/", False),
        ("admin_organisations", "admin", "/admin/members/organisation/", False),
    ]
    return out


def count_queries(path: str, session_key: str) -> tuple[int, int, float]:
    """Status, queries and the median in-process time of one request (5 requests): the
    in-process time is steadier than throughput on a shared machine."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    client.get(path)  # warm (caches, first-request work)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    queries = len(ctx)  # now: the next request's request_started resets the query log
    times = []
    for _ in range(5):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return response.status_code, queries, statistics.median(times)


def drain():
    """Wait until gunicorn has worked off what the last wrk run left queued (requests
    accepted before wrk closed its connections), so the next run starts on idle workers."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        started = time.perf_counter()
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/bare", timeout=60)
        if time.perf_counter() - started < 0.05:
            return
        time.sleep(0.1)


def start_gunicorn():
    log = open(OUT / "gunicorn.log", "w")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            "clamtex.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--timeout",
            "120",
        ],
        cwd=BASE,
        env=production_env(),
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/bare", timeout=2)
            return proc
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit("gunicorn did not start; see var/bench/gunicorn.log")


def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def wrk(path: str, session_key: str | None) -> dict:
    from django.conf import settings

    cmd = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{SECONDS}s",
        "--timeout",
        "30s",
        "-s",
        str(OUT / "report.lua"),
        "-H",
        "X-Forwarded-Proto: https",
    ]
    if session_key:
        cmd += ["-H", f"Cookie: {settings.SESSION_COOKIE_NAME}={session_key}"]
    cmd.append(f"http://127.0.0.1:{PORT}{path}")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    data = json.loads(re.search(r"BENCHWRK (\{.*\})", out).group(1))
    seconds = data["duration_us"] / 1e6
    return {
        "rps": data["requests"] / seconds if seconds else 0.0,
        "p50_ms": data["p50_us"] / 1000,
        "p95_ms": data["p95_us"] / 1000,
        "errors": data["bad_status"] + data["socket_errors"],
    }


def measure_pages(keys: dict) -> dict:
    results = {}
    plan = pages()
    proc = start_gunicorn()
    try:
        for name, role, path, is_directory in plan:
            status, queries, inproc_ms = count_queries(path, keys[role])
            rounds = []
            for _ in range(ROUNDS):
                drain()
                bare = wrk("/bench/bare", keys[role])
                drain()
                page = wrk(path, keys[role])
                rounds.append((bare, page))
            med = {
                k: statistics.median(r[1][k] for r in rounds) for k in ("rps", "p50_ms", "p95_ms")
            }
            bare_rps = statistics.median(r[0]["rps"] for r in rounds)
            results[name] = {
                "path": path,
                "role": role,
                "status": status,
                "rps": round(med["rps"], 1),
                "bare_rps": round(bare_rps, 1),
                "ratio_to_bare": round(med["rps"] / bare_rps, 4) if bare_rps else 0,
                "p50_ms": round(med["p50_ms"], 1),
                "p95_ms": round(med["p95_ms"], 1),
                "queries": queries,
                "inprocess_ms": round(inproc_ms, 1),
                "errors": sum(r[1]["errors"] for r in rounds),
                "target_ratio": DIRECTORY_RATIO if is_directory else PAGE_RATIO,
                "target_p95_ms": DIRECTORY_P95 if is_directory else PAGE_P95,
            }
            r = results[name]
            print(
                f"  {name:32} {r['rps']:8.1f} req/s {r['ratio_to_bare']:7.1%} "
                f"p50 {r['p50_ms']:7.1f} ms p95 {r['p95_ms']:7.1f} ms {queries:3} q "
                f"in-process {inproc_ms:7.1f} ms "
                f"[{status}]",
                flush=True,
            )
    finally:
        stop(proc)
    admin = results.get("admin_organisations")
    if admin and admin["rps"]:
        for name, r in results.items():
            if name.startswith("directory_"):
                r["times_admin"] = round(r["rps"] / admin["rps"], 1)
    return results


# --- 3. Jobs ------------------------------------------------------------------------------


def run_job_with_rss(name: str) -> dict:
    env = production_env()
    env["BENCH_EMAILS"] = str(max(1000, round(100_000 * SCALE)))
    out_path = OUT / f"job-{name}.log"
    with open(out_path, "w") as out:
        proc = subprocess.Popen(
            [PY, "-m", "benchmarks.jobs", name], cwd=BASE, env=env, stdout=out, stderr=out
        )
        _pid, status, rusage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    text = out_path.read_text()
    match = re.search(r"BENCHJOB (\{.*\})", text)
    if proc.returncode != 0 or not match:
        return {"seconds": None, "peak_rss_mb": None, "error": text.strip()[-800:]}
    data = json.loads(match.group(1))
    if data.get("peak_rss_mb") is None:  # no /proc: ru_maxrss (KiB on Linux), an upper bound
        data["peak_rss_mb"] = round(rusage.ru_maxrss / 1024, 1)
    target_s, target_mb = JOB_TARGETS[name]
    data["target_seconds"] = target_s
    data["target_peak_rss_mb"] = target_mb
    return data


def measure_jobs() -> dict:
    results = {}
    for name in JOB_TARGETS:
        results[name] = r = run_job_with_rss(name)
        if r.get("seconds") is None:
            print(f"  {name:32} FAILED: {r.get('error', '')[-300:]}", flush=True)
        else:
            print(
                f"  {name:32} {r['seconds']:8.2f} s   peak RSS {r['peak_rss_mb']:7.1f} MB",
                flush=True,
            )
    return results


# --- 4. Report ----------------------------------------------------------------------------


def table(results: dict) -> str:
    ok = "✓"
    bad = "✗"
    lines = [
        f"{'page':32} {'req/s':>8} {'ratio':>7} {'target':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'target':>7} {'queries':>7} {'1 req ms':>9}",
    ]
    for name, r in results["pages"].items():
        ratio_ok = r["ratio_to_bare"] >= r["target_ratio"]
        p95_ok = r["p95_ms"] <= r["target_p95_ms"]
        q_ok = r["queries"] <= MAX_QUERIES
        lines.append(
            f"{name:32} {r['rps']:8.1f} {r['ratio_to_bare']:7.1%} "
            f"{'≥' + format(r['target_ratio'], '.0%'):>6}{ok if ratio_ok else bad} "
            f"{r['p50_ms']:8.1f} {r['p95_ms']:8.1f} "
            f"{'≤' + str(r['target_p95_ms']):>6}{ok if p95_ok else bad} "
            f"{r['queries']:5}{ok if q_ok else bad} {r['inprocess_ms']:9.1f}"
            + ("" if r["status"] == 200 else f"  (status {r['status']})")
        )
    lines.append("")
    lines.append(f"{'job':32} {'seconds':>8} {'target':>8} {'peak RSS MB':>12} {'target':>8}")
    for name, r in results["jobs"].items():
        if r.get("seconds") is None:
            lines.append(f"{name:32} FAILED")
            continue
        ts, tm = r["target_seconds"], r["target_peak_rss_mb"]
        s_ok = r["seconds"] <= ts
        m_ok = tm is None or r["peak_rss_mb"] <= tm
        lines.append(
            f"{name:32} {r['seconds']:8.2f} {'≤' + str(ts):>7}{ok if s_ok else bad} "
            f"{r['peak_rss_mb']:12.1f} {('≤' + str(tm)) if tm else '–':>7}{ok if m_ok else bad}"
        )
    return "\n".join(lines)


def main() -> int:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "report.lua").write_text(LUA)
    if os.environ.get("BENCH_SKIP_SEED") != "1":
        prepare_database()
    setup_django()
    from clamtex.core.scale import scaled

    keys = sessions()
    print(f"pages (wrk -t{THREADS} -c{CONNECTIONS} {SECONDS}s × {ROUNDS} rounds, paired):")
    page_results = measure_pages(keys) if os.environ.get("BENCH_SKIP_PAGES") != "1" else {}
    print("jobs:")
    job_results = measure_jobs() if os.environ.get("BENCH_SKIP_JOBS") != "1" else {}
    results = {
        "pages": page_results,
        "jobs": job_results,
        "scale": {"factor": SCALE, **scaled(SCALE)},
        "settings": {
            "seconds": SECONDS,
            "rounds": ROUNDS,
            "threads": THREADS,
            "connections": CONNECTIONS,
            "gunicorn_workers": 2,
        },
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    print()
    print(table(results))
    print(f"\nwritten to {OUT / 'results.json'}")
    # A smoke test fails on a broken page or job, not on a missed target.
    broken = [n for n, r in page_results.items() if r["status"] != 200]
    broken += [n for n, r in job_results.items() if r.get("seconds") is None]
    if broken:
        print("broken: " + ", ".join(broken))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
