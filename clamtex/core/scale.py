"""A realistic data set at the scale of the European cluster landscape, for `make bench`.

At scale 1.0: 50 partnerships, 1,100 clusters, 100,000 member organisations with 1–3
memberships and 2 contacts each, 10,000 events with 500,000 registrations, 20,000
ClusterXchange applications, 5,000 exchanges in every state and 1,000,000 sent emails.

Rows are written straight into the tables with explicit ids: COPY on PostgreSQL,
`executemany` elsewhere. Every seeded row is recognisable (partnership acronyms
``SCALE-nn``, addresses ``@scale.example``) and the scale is recorded in the first
partnership's description, so a second run at the same scale does nothing but refresh the
demo accounts' roles.
"""

import io
import json
import random
import secrets
import time
from datetime import UTC, date, datetime, timedelta

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

MARKER = "seed_scale"
BASE = {
    "partnerships": 50,
    "clusters": 1100,
    "organisations": 100_000,
    "events": 10_000,
    "registrations": 500_000,
    "applications": 20_000,
    "exchanges": 5_000,
    "emails": 1_000_000,
}
# The event whose participant list the benchmark opens has this many registrations
# (at every scale, so the page is comparable).
BIG_EVENT_REGISTRATIONS = 500
CHUNK = 20_000

WORDS = [
    "textil",
    "tejidos",
    "hilaturas",
    "acabados",
    "tintes",
    "moda",
    "calzado",
    "cuero",
    "confeccion",
    "punto",
    "technical",
    "textiles",
    "coating",
    "lamination",
    "nonwovens",
    "fibres",
    "yarns",
    "weaving",
    "knitting",
    "dyeing",
    "printing",
    "finishing",
    "recycling",
    "circular",
    "digital",
    "smart",
    "composites",
    "medical",
    "sportswear",
    "denim",
    "wool",
    "cotton",
    "linen",
    "silk",
]
CITIES = [
    "Terrassa",
    "Sabadell",
    "Igualada",
    "Mataró",
    "Alcoi",
    "Ontinyent",
    "Valencia",
    "Elche",
    "Porto",
    "Guimarães",
    "Braga",
    "Covilhã",
    "Lyon",
    "Roubaix",
    "Troyes",
    "Mulhouse",
    "Prato",
    "Biella",
    "Como",
    "Łódź",
    "Brno",
    "Liberec",
    "Gent",
    "Kortrijk",
]
COUNTRIES = ["ES", "PT", "FR", "IT", "DE", "BE", "PL", "CZ", "NL", "AT", "RO", "BG", "GR"]
ORG_TYPES = ["sme"] * 7 + ["startup", "large", "rto", "university", "public", "support"]


def scaled(scale: float) -> dict[str, int]:
    counts = {k: max(1, round(v * scale)) for k, v in BASE.items()}
    counts["partnerships"] = max(2, counts["partnerships"])
    counts["clusters"] = max(counts["partnerships"] * 2, counts["clusters"])
    counts["organisations"] = max(200, counts["organisations"])
    counts["events"] = max(20, counts["events"])
    counts["registrations"] = max(BIG_EVENT_REGISTRATIONS * 2, counts["registrations"])
    counts["applications"] = max(200, counts["applications"])
    counts["exchanges"] = max(28, min(counts["exchanges"], counts["applications"] // 4))
    return counts


# --- Writing rows ---------------------------------------------------------------------------


def _row_template(model) -> dict:
    """Database values of every column's default, so rows only name what differs."""
    now = timezone.now()
    template = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        elif isinstance(field, models.CharField | models.TextField | models.FileField):
            value = ""
        else:
            value = None
        if isinstance(field, models.JSONField) and value is not None:
            value = json.dumps(value)
        template[field.column] = value
    return template


def _text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def insert(model, rows, *, first_id: int) -> int:
    """Insert rows (dicts column → value) with explicit ids from first_id; returns the
    number of rows. COPY on PostgreSQL, executemany elsewhere."""
    template = _row_template(model)
    table = model._meta.db_table
    columns = ["id", *template.keys()]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    batch: list = []

    def flush():
        if not batch:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                buffer = io.StringIO()
                for values in batch:
                    buffer.write("\t".join(_text(v) for v in values))
                    buffer.write("\n")
                buffer.seek(0)
                cursor.cursor.copy_expert(f"COPY {table} ({quoted}) FROM STDIN", buffer)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", batch)
        batch.clear()

    for row in rows:
        values = dict(template)
        values.update(row)
        batch.append([first_id + count, *(values[c] for c in columns[1:])])
        count += 1
        if len(batch) >= CHUNK:
            flush()
    flush()
    return count


def insert_m2m(through, left: str, right: str, pairs) -> int:
    """Rows of an auto-created many-to-many table (its own id sequence)."""
    table = through._meta.db_table
    pairs = list(pairs)
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), CHUNK):
            chunk = pairs[start : start + CHUNK]
            if connection.vendor == "postgresql":
                buffer = io.StringIO("".join(f"{a}\t{b}\n" for a, b in chunk))
                cursor.cursor.copy_expert(f"COPY {table} ({left}, {right}) FROM STDIN", buffer)
            else:
                cursor.executemany(f"INSERT INTO {table} ({left}, {right}) VALUES (%s, %s)", chunk)
    return len(pairs)


def next_id(model) -> int:
    return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1


def reset_sequences(*model_list):
    sql = connection.ops.sequence_reset_sql(no_style(), model_list)
    if sql:
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)


# --- The data set ---------------------------------------------------------------------------


def seeded_scale() -> float | None:
    from members.models import Partnership

    first = Partnership.objects.filter(acronym="SCALE-01").first()
    if first is None:
        return None
    try:
        return float(first.description.split(" ", 1)[1])
    except (IndexError, ValueError):
        return None


def seed_scale(*, scale: float = 1.0, log=print) -> dict:
    """Seed (once) and give the demo accounts roles in the seeded data."""
    counts = scaled(scale)
    existing = seeded_scale()
    if existing is not None:
        if abs(existing - scale) > 1e-9:
            raise ValueError(
                f"This database already holds the scale data set at scale {existing}; "
                "use a fresh database for another scale."
            )
        log(f"scale {scale} already seeded; refreshing the demo accounts' roles")
    else:
        with transaction.atomic():
            _seed(counts, scale, log)
    roles = demo_roles()
    if connection.vendor == "postgresql":
        # VACUUM sets the visibility map after the bulk load, so that index-only scans
        # (the directory's sort, the exports' chunks) do not fetch every heap row; it
        # cannot run inside a transaction (tests), where ANALYZE alone is done.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return {"counts": counts, "roles": roles}


def _timed(log, label):
    class _T:
        def __enter__(self):
            self.started = time.perf_counter()

        def __exit__(self, *exc):
            if exc[0] is None:
                log(f"  {label}: {time.perf_counter() - self.started:.1f}s")

    return _T()


def _seed(counts: dict, scale: float, log):
    from django.contrib.auth.hashers import make_password  # noqa: F401 (unusable below)

    from exchange.models import Application, Call, ClosingReport, Exchange, Programme
    from members.models import Cluster, Contact, Membership, Organisation, Partnership, User
    from notifications.models import Email
    from workshops.models import Event, Registration

    rng = random.Random(20261203)
    now = timezone.now()
    today = timezone.localdate()
    log(f"seeding scale {scale}: {counts}")

    with _timed(log, "partnerships and clusters"):
        partnerships = [
            Partnership(
                acronym=f"SCALE-{i + 1:02d}",
                name=f"Scale partnership {i + 1}",
                description=f"{MARKER} {scale}" if i == 0 else MARKER,
            )
            for i in range(counts["partnerships"])
        ]
        Partnership.objects.bulk_create(partnerships)
        partnerships = list(Partnership.objects.filter(acronym__startswith="SCALE-"))
        p_ids = [p.pk for p in partnerships]
        first = next_id(Cluster)
        insert(
            Cluster,
            (
                {
                    "partnership_id": p_ids[i % len(p_ids)],
                    "name": f"Cluster {i + 1:04d} {rng.choice(WORDS).title()}",
                    "acronym": f"SC{i + 1:04d}",
                    "country": COUNTRIES[i % len(COUNTRIES)],
                    "city": rng.choice(CITIES),
                }
                for i in range(counts["clusters"])
            ),
            first_id=first,
        )
        cluster_ids = list(range(first, first + counts["clusters"]))
        cluster_partnership = {cid: p_ids[i % len(p_ids)] for i, cid in enumerate(cluster_ids)}
        for p in partnerships:
            Programme.objects.get_or_create(partnership=p)
        calls = {
            p.pk: Call.objects.create(
                partnership=p,
                name=f"{p.acronym} call",
                opens_on=today - timedelta(days=60),
                closes_on=today + timedelta(days=60),
                planned_exchanges=100,
            ).pk
            for p in partnerships
        }

    n_orgs = counts["organisations"]
    org_first = next_id(Organisation)
    org_ids = range(org_first, org_first + n_orgs)
    # The first cluster is a big one (5 % of the members): the demo manager's cluster.
    big = max(1, n_orgs // 20)
    memberships_of: dict[int, list[int]] = {}
    with _timed(log, f"{n_orgs} organisations"):

        def org_rows():
            for i in range(n_orgs):
                words = rng.sample(WORDS, 3)
                employees = rng.choice([None, rng.randint(1, 600)])
                yield {
                    "legal_name": f"{words[0].title()} {words[1].title()} {i:06d} S.L.",
                    "vat_number": f"SC{i:09d}",
                    "org_type": rng.choice(ORG_TYPES),
                    "country": rng.choice(COUNTRIES),
                    "city": rng.choice(CITIES),
                    "postcode": f"{rng.randint(1000, 99999)}",
                    "address": f"Carrer {words[2].title()} {i % 300}",
                    "employees": employees,
                    "turnover_eur": rng.choice([None, rng.randint(100_000, 90_000_000)]),
                    "capabilities": " ".join(rng.sample(WORDS, 6)),
                    "description": "",
                }

        insert(Organisation, org_rows(), first_id=org_first)

    with _timed(log, "memberships and contacts"):
        statuses = ["active"] * 17 + ["pending", "suspended", "ended"]

        def membership_rows():
            for i, org_id in enumerate(org_ids):
                how_many = rng.choice((1, 1, 2, 3))
                chosen = {cluster_ids[0]} if i < big else set()
                while len(chosen) < how_many:
                    chosen.add(rng.choice(cluster_ids))
                memberships_of[org_id] = sorted(chosen)
                for cid in sorted(chosen):
                    status = rng.choice(statuses)
                    start = today - timedelta(days=rng.randint(30, 3000))
                    yield {
                        "organisation_id": org_id,
                        "cluster_id": cid,
                        "status": status,
                        "start_date": start,
                        "end_date": today if status == "ended" else None,
                    }

        insert(Membership, membership_rows(), first_id=next_id(Membership))

        def contact_rows():
            for org_id in org_ids:
                for k in range(2):
                    yield {
                        "organisation_id": org_id,
                        "full_name": f"Contact {k + 1} of {org_id}",
                        "email": f"c{k}.{org_id}@scale.example",
                        "language": "en",
                        "is_primary": k == 0,
                        "consent_given": k == 0,
                    }

        insert(Contact, contact_rows(), first_id=next_id(Contact))

    n_events = counts["events"]
    event_first = next_id(Event)
    with _timed(log, f"{n_events} events"):

        def event_rows():
            for i in range(n_events):
                start = now + timedelta(days=rng.randint(-365, 365), hours=rng.randint(0, 8))
                yield {
                    "partnership_id": p_ids[i % len(p_ids)],
                    "title": f"{rng.choice(WORDS).title()} workshop {i + 1}",
                    "kind": "workshop",
                    "axis": rng.choice(["digital", "international", "circular"]),
                    "start": start,
                    "end": start + timedelta(hours=4),
                    "status": "published" if i % 10 else "draft",
                    "capacity_in_person": 1000,
                    "capacity_online": 1000,
                    "audience": "partnership",
                    "city": rng.choice(CITIES),
                }

        insert(Event, event_rows(), first_id=event_first)
        event_cluster = {}
        pairs = []
        for i in range(n_events):
            cid = cluster_ids[0] if i == 0 else cluster_ids[i % len(cluster_ids)]
            event_cluster[event_first + i] = cid
            pairs.append((event_first + i, cid))
        insert_m2m(Event.organisers.through, "event_id", "cluster_id", pairs)

    n_regs = counts["registrations"]
    with _timed(log, f"{n_regs} registrations"):
        reg_statuses = ["registered"] * 6 + ["attended", "pending", "waitlisted", "cancelled"]

        def registration_rows():
            # The first event (published later in demo_roles) gets BIG_EVENT_REGISTRATIONS.
            for k in range(n_regs):
                if k < BIG_EVENT_REGISTRATIONS:
                    event_id = event_first
                else:
                    event_id = event_first + 1 + (k % (n_events - 1))
                org_id = org_first + (k * 7919) % n_orgs
                yield {
                    "event_id": event_id,
                    "organisation_id": org_id,
                    "full_name": f"Participant {k}",
                    "email": f"p{k}@scale.example",
                    "mode": "in_person" if k % 3 else "online",
                    "status": rng.choice(reg_statuses),
                    "answers": "{}",
                    "token": secrets.token_hex(16),
                    "language": "en",
                }

        insert(Registration, registration_rows(), first_id=next_id(Registration))

    n_apps = counts["applications"]
    with _timed(log, f"{n_apps} applicants and applications"):
        user_first = next_id(User)
        insert(
            User,
            (
                {
                    "email": f"applicant{i}@scale.example",
                    "full_name": f"Applicant {i}",
                    "password": "!",
                    "is_superuser": False,
                }
                for i in range(n_apps)
            ),
            first_id=user_first,
        )
        app_first = next_id(Application)
        app_statuses = [s for s, _ in Application.Status.choices]
        app_org = {}

        def application_rows():
            for i in range(n_apps):
                org_id = org_first + (i * 4999) % n_orgs
                cid = memberships_of[org_id][0]
                app_org[app_first + i] = (org_id, cid)
                status = "accepted" if i < counts["exchanges"] * 2 else app_statuses[i % 7]
                yield {
                    "call_id": calls[cluster_partnership[cid]],
                    "applicant_id": user_first + i,
                    "organisation_id": org_id,
                    "managing_cluster_id": cid,
                    "role": "visitor" if i % 2 == 0 else "host",
                    "motivation": "Learn " + " ".join(rng.sample(WORDS, 5)),
                    "activity_types": '["knowledge"]',
                    "preferred_countries": "[]",
                    "catalogue_fields": "[]",
                    "review_checklist": "{}",
                    "consent_privacy": True,
                    "status": status,
                    "submitted_at": None if status == "draft" else now - timedelta(days=i % 90),
                }

        insert(Application, application_rows(), first_id=app_first)

    n_ex = counts["exchanges"]
    with _timed(log, f"{n_ex} exchanges"):
        ex_statuses = [s for s, _ in Exchange.Status.choices]

        def exchange_rows():
            for i in range(n_ex):
                visitor_app = app_first + 2 * i
                host_app = app_first + 2 * i + 1
                v_org, v_cluster = app_org[visitor_app]
                h_org, h_cluster = app_org[host_app]
                yield {
                    "visitor_application_id": visitor_app,
                    "host_application_id": host_app,
                    "visitor_organisation_id": v_org,
                    "host_organisation_id": h_org,
                    "visitor_cluster_id": v_cluster,
                    "host_cluster_id": h_cluster,
                    "status": ex_statuses[i % len(ex_statuses)],
                }

        ex_first = next_id(Exchange)
        insert(Exchange, exchange_rows(), first_id=ex_first)
        # An exchange past its closing report has one (the managers' work queues read it).
        report_status = {
            "report_submitted": "submitted",
            "report_validated": "validated",
            "report_rejected": "returned",
            "paid": "validated",
            "closed": "validated",
        }

        def report_rows():
            for i in range(n_ex):
                status = report_status.get(ex_statuses[i % len(ex_statuses)])
                if status is None:
                    continue
                submitted = now - timedelta(days=i % 60)
                yield {
                    "exchange_id": ex_first + i,
                    "status": status,
                    "submitted_at": submitted,
                    "validated_at": submitted + timedelta(days=3)
                    if status == "validated"
                    else None,
                }

        insert(ClosingReport, report_rows(), first_id=next_id(ClosingReport))

    n_emails = counts["emails"]
    with _timed(log, f"{n_emails} sent emails"):
        sent = datetime(2026, 1, 1, tzinfo=UTC)

        def email_rows():
            for i in range(n_emails):
                when = sent + timedelta(seconds=i * 30)
                yield {
                    "recipient": f"p{i % 50000}@scale.example",
                    "kind": "workshops.reminder",
                    "occasion_key": f"scale:{i}",
                    "context": "{}",
                    "status": "sent",
                    "attempts": 1,
                    "created_at": when,
                    "updated_at": when,
                    "sent_at": when,
                }

        insert(Email, email_rows(), first_id=next_id(Email))

    reset_sequences(
        Cluster, Organisation, Membership, Contact, Event, Registration, User, Application
    )
    reset_sequences(Exchange, ClosingReport, Email)
    # Counters the registration services keep.
    Event.objects.filter(pk=event_first).update(status="published", start=now + timedelta(days=3))


def demo_roles() -> list[str]:
    """The demo accounts (from seed_demo) get roles in the scale data: the coordinator
    coordinates every scale partnership, manager.aei manages the big cluster,
    sme.aei represents a scale organisation, and the first event is organised by the big
    cluster."""
    from members.models import (
        Cluster,
        ClusterManager,
        Organisation,
        Partnership,
        PartnershipCoordinator,
        Representative,
        User,
    )

    done = []
    big = Cluster.objects.filter(acronym="SC0001").first()
    coordinator = User.objects.filter(email="coordinator@clamtex.example").first()
    if coordinator:
        for p in Partnership.objects.filter(acronym__startswith="SCALE-"):
            PartnershipCoordinator.objects.get_or_create(user=coordinator, partnership=p)
        done.append("coordinator@clamtex.example coordinates every SCALE partnership")
    manager = User.objects.filter(email="manager.aei@clamtex.example").first()
    if manager and big:
        ClusterManager.objects.get_or_create(user=manager, cluster=big)
        done.append(f"manager.aei@clamtex.example manages {big.acronym}")
    rep = User.objects.filter(email="sme.aei@clamtex.example").first()
    org = Organisation.objects.filter(vat_number="SC000000001").first()
    if rep and org:
        Representative.objects.get_or_create(user=rep, organisation=org)
        done.append(f"sme.aei@clamtex.example represents {org}")
    return done


def big_event_id() -> int | None:
    from workshops.models import Event

    first = Event.objects.filter(partnership__acronym="SCALE-01").order_by("pk").first()
    return first.pk if first else None


def today_iso() -> str:
    return date.today().isoformat()
