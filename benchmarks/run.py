"""Benchmarks (not tests): the member export at 100,000 organisations.

Run with `make bench`. Uses its own SQLite file (var/bench.sqlite3) unless DATABASE_URL is
set. Prints time, queries and the peak Python memory (tracemalloc) of streaming the CSV
and the XLSX export of the whole directory.
"""

import os
import sys
import time
import tracemalloc
from pathlib import Path

N = int(os.environ.get("BENCH_MEMBERS", "100000"))


def main():
    base = Path(__file__).resolve().parent.parent
    os.environ.setdefault("SQLITE_PATH", str(base / "var" / "bench.sqlite3"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clamtex.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from clamtex.core.exports import csv_response, xlsx_response
    from members.exports import COLUMNS, organisation_rows
    from members.models import Cluster, Contact, Membership, Organisation, Partnership

    call_command("migrate", verbosity=0)
    partnership, _ = Partnership.objects.get_or_create(acronym="BENCH", defaults={"name": "Bench"})
    cluster, _ = Cluster.objects.get_or_create(
        partnership=partnership, acronym="BENCH", defaults={"name": "Bench", "country": "ES"}
    )
    have = Organisation.objects.count()
    if have < N:
        started = time.perf_counter()
        batch = 5000
        for start in range(have, N, batch):
            orgs = Organisation.objects.bulk_create(
                Organisation(
                    legal_name=f"Bench member {i:06d} S.L.",
                    vat_number=f"B{i:08d}",
                    country="ES",
                    city="Terrassa",
                    employees=i % 400,
                    turnover_eur=1_000_000 + i,
                    capabilities="Technical textiles, coating, lamination",
                )
                for i in range(start, min(start + batch, N))
            )
            Membership.objects.bulk_create(
                Membership(organisation=o, cluster=cluster) for o in orgs
            )
            Contact.objects.bulk_create(
                Contact(organisation=o, full_name="Contact", email=f"c{o.pk}@example.org")
                for o in orgs
            )
        print(f"seeded {N - have} organisations in {time.perf_counter() - started:.1f}s")

    qs = Organisation.objects.all()
    for label, make in (("CSV", csv_response), ("XLSX", xlsx_response)):
        # Time without tracing (tracemalloc slows Python down several times), then the
        # peak memory in a second, traced pass.
        reset_queries()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = make("bench", COLUMNS, organisation_rows(qs))
            size = sum(len(chunk) for chunk in response.streaming_content)
        elapsed = time.perf_counter() - started
        tracemalloc.start()
        response = make("bench", COLUMNS, organisation_rows(qs))
        for _chunk in response.streaming_content:
            pass
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{label} export of {N} organisations: {elapsed:.1f}s, {len(queries)} queries, "
            f"{size / 1e6:.1f} MB written, peak Python memory {peak / 1e6:.1f} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
