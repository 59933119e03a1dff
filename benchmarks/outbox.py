"""Benchmark: the outbox sweep over 100,000 due rows (time and queries).

`python -m benchmarks.outbox` (part of `make bench`). Uses var/bench.sqlite3 unless
DATABASE_URL is set; enqueues to the configured broker (Redis with REDIS_URL).
"""

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

N = int(os.environ.get("BENCH_EMAILS", "100000"))


def main():
    base = Path(__file__).resolve().parent.parent
    os.environ.setdefault("SQLITE_PATH", str(base / "var" / "bench.sqlite3"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clamtex.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from notifications import services
    from notifications.models import Email

    call_command("migrate", verbosity=0)
    Email.objects.filter(kind="bench").delete()
    old = timezone.now() - timedelta(hours=1)
    started = time.perf_counter()
    for start in range(0, N, 5000):
        Email.objects.bulk_create(
            Email(
                recipient=f"r{i}@example.org",
                kind="bench",
                occasion_key=f"bench:{i}",
                context={},
            )
            for i in range(start, min(start + 5000, N))
        )
    Email.objects.filter(kind="bench").update(updated_at=old)
    print(f"created {N} due outbox rows in {time.perf_counter() - started:.1f}s")

    # The sweep's query part: find what is due.
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        ids = services.outbox_recover()
        found = time.perf_counter() - started
    print(f"outbox_recover: {len(ids)} due rows found in {found:.2f}s with {len(queries)} queries")

    # The enqueue part: one small task per row, to the configured broker.
    from notifications.tasks import email_send

    broker = email_send.app.conf.broker_url.split("://")[0]
    started = time.perf_counter()
    with email_send.app.producer_or_acquire() as producer:
        for email_id in ids:
            email_send.apply_async((email_id,), producer=producer)
    enqueued = time.perf_counter() - started
    print(f"enqueue of {len(ids)} tasks to the {broker} broker: {enqueued:.1f}s")
    # Leave neither the rows nor the queued tasks behind.
    email_send.app.control.purge()
    Email.objects.filter(kind="bench").delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
