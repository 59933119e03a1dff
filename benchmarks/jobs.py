"""One background job of `make bench`, run in its own process so that its peak memory
(ru_maxrss, read by the parent with os.wait4) is its own.

`python -m benchmarks.jobs <name>` prints one line ``BENCHJOB {"seconds": …, …}``.
"""

import json
import os
import sys
import time
from datetime import timedelta


def _coordinator():
    from members.models import User

    return User.objects.get(email="coordinator@clamtex.example")


def export(fmt: str) -> dict:
    from clamtex.core.exports import csv_response, xlsx_response
    from members import selectors
    from members.exports import COLUMNS, organisation_rows

    user = _coordinator()
    qs = selectors.organisations_visible_to(user)
    make = csv_response if fmt == "csv" else xlsx_response
    size = 0
    response = make(f"bench.{fmt}", COLUMNS, organisation_rows(qs))
    for chunk in response.streaming_content:
        size += len(chunk)
    return {"rows": qs.count(), "bytes": size}


def report() -> dict:
    from django.utils import timezone

    from projects import services
    from projects.models import Project

    user = _coordinator()
    project = Project.objects.order_by("pk").first()
    if project is None:
        return {"skipped": "no project"}
    today = timezone.localdate()
    out = {}
    for fmt in ("pdf", "xlsx"):
        run = services.report_request(
            project=project,
            cluster=None,
            period_start=today - timedelta(days=365),
            period_end=today,
            format=fmt,
            by=user,
        )
        out[fmt] = services.report_generate(run_id=run.pk)
    return out


def reminders_workshops() -> dict:
    from workshops import tasks

    first = tasks.reminders_sweep()
    second = tasks.reminders_sweep()
    return {"queued": first, "queued_again": second}


def reminders_exchange() -> dict:
    from exchange import tasks

    return {"queued": tasks.reminders_sweep()}


def outbox_enqueue() -> dict:
    """The outbox sweep over N pending rows (100,000 × scale), to the configured broker."""
    from django.utils import timezone

    from clamtex.core.scale import insert, next_id, reset_sequences
    from notifications import tasks
    from notifications.models import Email

    n = int(os.environ.get("BENCH_EMAILS", "100000"))
    Email.objects.filter(kind="bench").delete()
    old = timezone.now() - timedelta(hours=1)
    insert(
        Email,
        (
            {
                "recipient": f"bench{i}@scale.example",
                "kind": "bench",
                "occasion_key": f"bench:{i}",
                "context": "{}",
                "status": "pending",
                "created_at": old,
                "updated_at": old,
            }
            for i in range(n)
        ),
        first_id=next_id(Email),
    )
    reset_sequences(Email)
    started = time.perf_counter()
    queued = tasks.outbox_sweep()
    seconds = time.perf_counter() - started
    tasks.email_send.app.control.purge()
    Email.objects.filter(kind="bench").delete()
    return {"queued": queued, "timed_seconds": round(seconds, 3)}


JOBS = {
    "export_csv": lambda: export("csv"),
    "export_xlsx": lambda: export("xlsx"),
    "report_pdf_xlsx": report,
    "reminders_workshops": reminders_workshops,
    "reminders_exchange": reminders_exchange,
    "outbox_enqueue": outbox_enqueue,
}


def peak_rss_mb() -> float | None:
    """VmHWM, the peak RSS of this process since its exec (ru_maxrss is no good here: it
    keeps the high-water mark of the parent the process was forked from)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def main(name: str) -> int:
    import django

    django.setup()
    started = time.perf_counter()
    detail = JOBS[name]()
    seconds = time.perf_counter() - started
    if isinstance(detail, dict) and "timed_seconds" in detail:
        seconds = detail.pop("timed_seconds")
    result = {"seconds": round(seconds, 3), "peak_rss_mb": peak_rss_mb(), "detail": detail}
    print("BENCHJOB " + json.dumps(result, default=str))
    try:
        from notifications.tasks import email_send

        email_send.app.control.purge()  # leave no queued task behind
    except Exception:  # noqa: BLE001 (a broker without purge is fine)
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
