"""CLAMTEX's programme as demo data, alive: the project runs 24 months from the first day of
the month 14 months before the seeding day (members/demo/data.py), so that some
deliverables are done, some due soon and two late; then its partners, work packages, activities, deliverables and
milestones, reporting periods, KPIs like those of comparable partnerships, some manual
KPI values, cluster strategies with versions and roadmap actions, and the label history.

Every date of the working data is a month of the project (M1 = its first month); only the
label history before the project is fixed (each cluster's current label was benchmarked
and awarded during the project). Idempotent: every row is looked up by its natural key (project
and code, cluster and date …) and refreshed; seeded again in a later month, the plan moves
with today (manual KPI values of periods no longer planned are removed). Rows are written directly (no services): seeding sends nothing.
The label history ends on each cluster's current label (members/demo/data.py)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from members.demo.data import DURATION_MONTHS, current_label_dates, programme_start
from members.models import Cluster, Partnership, User

from .models import (
    KPI,
    Activity,
    Deliverable,
    DeliverableTransition,
    DeliverableVersion,
    KPIValue,
    LabelRecord,
    Milestone,
    Partner,
    Project,
    ReportingPeriod,
    RoadmapAction,
    StrategyDocument,
    StrategyVersion,
    WorkPackage,
    add_months,
)

COORDINATOR_EMAIL = "coordinator@clamtex.example"
S = Deliverable.Status

PROJECT = {
    "acronym": "CLAMTEX",
    "title": (
        "Cluster management towards excellence in Advanced Manufacturing and Textile Industry"
    ),
    "programme": "COSME – European Strategic Cluster Partnerships for Excellence (ESCP-4x)",
    "call_identifier": "COS-CLUSTER-2018-03-01",
    "duration_months": DURATION_MONTHS,
    "extension_months": 0,
    "description": (
        "Five textile and advanced-manufacturing clusters strengthen their management "
        "(benchmarking and labelling, capacity building), write their strategies and a "
        "joint one, and send their SMEs abroad through ClusterXchange."
    ),
}

# number: (title, lead cluster key, start month, end month)
WORK_PACKAGES = {
    1: ("Project management and coordination", "aei", 1, 30),
    2: ("Benchmarking and labelling", "emc2", 1, 18),
    3: ("Capacity building of cluster management", "ateval", 3, 27),
    4: ("Cluster strategies and joint roadmap", "citeve", 6, 28),
    5: ("ClusterXchange", "produtech", 6, 30),
    6: ("Communication and dissemination", "aei", 1, 30),
}

# (work package, code, title, lead)
ACTIVITIES = [
    (1, "A1.1", "Kick-off and partner meetings", "aei"),
    (1, "A1.2", "Financial and progress reporting", "aei"),
    (2, "A2.1", "ESCA benchmarking of the five clusters", "emc2"),
    (2, "A2.2", "Label upgrade plans", "emc2"),
    (3, "A3.1", "Design thinking and lean management trainings", "ateval"),
    (3, "A3.2", "Learning events and study visits", "ateval"),
    (4, "A4.1", "Cluster strategy workshops", "citeve"),
    (4, "A4.2", "Joint partnership strategy", "citeve"),
    (5, "A5.1", "ClusterXchange calls and matchmaking", "produtech"),
    (5, "A5.2", "Exchange follow-up and payments", "produtech"),
    (6, "A6.1", "Website, newsletters and social media", "aei"),
    (6, "A6.2", "Final conference", "aei"),
]

# (work package, code, title, due month, status, lead; approved deliverables get v1). The
# seeding day is in M15: D2.2 and D3.2 are late, D4.2 is due at the end of this month.
DELIVERABLES = [
    (1, "D1.1", "Project handbook and quality plan", 2, S.APPROVED, "aei"),
    (6, "D6.1", "Communication plan and visual identity", 3, S.APPROVED, "aei"),
    (3, "D3.1", "Capacity-building programme", 6, S.APPROVED, "ateval"),
    (5, "D5.1", "ClusterXchange guidelines and call", 8, S.APPROVED, "produtech"),
    (2, "D2.1", "Benchmarking reports of the five clusters", 10, S.APPROVED, "emc2"),
    (4, "D4.1", "Five cluster strategies", 12, S.APPROVED, "citeve"),
    (1, "D1.2", "First progress report", 13, S.SUBMITTED, "aei"),
    (3, "D3.2", "Training materials (design thinking, lean)", 13, S.IN_PROGRESS, "ateval"),
    (2, "D2.2", "Label upgrade plans", 14, S.IN_PROGRESS, "emc2"),
    (4, "D4.2", "Joint partnership strategy and roadmap", 15, S.IN_PROGRESS, "citeve"),
    (3, "D3.3", "Report on learning events and study visits", 18, S.PLANNED, "ateval"),
    (5, "D5.2", "ClusterXchange monitoring report", 22, S.PLANNED, "produtech"),
    (6, "D6.2", "Final conference proceedings", 24, S.PLANNED, "aei"),
    (1, "D1.3", "Final report", 24, S.PLANNED, "aei"),
]

# (code, work package, title, due month, achieved: days after the due month's end, or None)
MILESTONES = [
    ("MS1", 1, "Kick-off meeting of the programme", 1, -20),
    ("MS2", 2, "Benchmarking of all partner clusters completed", 10, 12),
    ("MS3", 5, "First ClusterXchange call open", 13, 0),
    ("MS4", 4, "Five cluster strategies adopted", 12, -5),
    ("MS5", 4, "Joint partnership strategy adopted", 16, None),
    ("MS6", 6, "Final conference", 24, None),
]

# (code, name, unit, target, source, parameters, per_cluster)
KPIS = [
    (
        "K1",
        "Cluster labels obtained or renewed (Bronze or higher)",
        "labels",
        5,
        "labels_obtained",
        {},
        True,
    ),
    ("K2", "Benchmarking visits (ESCA)", "visits", 5, "benchmarkings", {}, True),
    (
        "K3",
        "Cluster strategies delivered",
        "strategies",
        5,
        "strategies_delivered",
        {"joint": False},
        True,
    ),
    (
        "K4",
        "Joint partnership strategy delivered",
        "strategy",
        1,
        "strategies_delivered",
        {"joint": True},
        False,
    ),
    (
        "K5",
        "Learning events and study visits held",
        "events",
        6,
        "events_held",
        {"kinds": ["learning", "study_visit"]},
        True,
    ),
    ("K6", "Matchmaking events held", "events", 3, "events_held", {"kinds": ["matchmaking"]}, True),
    (
        "K7",
        "Capacity-building participants",
        "participants",
        120,
        "participants",
        {"kinds": ["training", "design_thinking", "workshop", "webinar"]},
        True,
    ),
    ("K8", "SMEs supported", "SMEs", 150, "smes_supported", {}, True),
    ("K9", "ClusterXchange exchanges completed", "exchanges", 40, "exchanges_completed", {}, True),
    ("K10", "ClusterXchange grants paid", "grants", 40, "grants_paid", {}, True),
    ("K11", "Cluster staff trained", "people", 25, KPI.MANUAL, {}, True),
    ("K12", "Newsletters and press releases published", "items", 12, KPI.MANUAL, {}, False),
]

# (kpi, cluster key or None, first month, last month, value, note)
MANUAL_VALUES = [
    ("K11", "aei", 1, 6, 3, "Design thinking facilitators"),
    ("K11", "ateval", 1, 6, 4, ""),
    ("K11", "produtech", 7, 12, 3, ""),
    ("K11", "citeve", 7, 12, 4, "Lean management course"),
    ("K11", "emc2", 7, 12, 5, ""),
    ("K12", None, 1, 6, 5, "Newsletters 1–3 and two press releases"),
    ("K12", None, 7, 12, 6, ""),
]

# cluster key: [(label, benchmarked on, awarded on, valid until)] before the programme,
# oldest first. The current label follows, benchmarked and awarded during the programme
# (members/demo/data.py current_label_dates), so that K1 and K2 count the five clusters.
LABELS = {
    "aei": [
        ("bronze", date(2019, 5, 10), date(2019, 6, 30), date(2021, 6, 30)),
        ("silver", date(2020, 10, 20), date(2021, 1, 15), date(2023, 1, 15)),
    ],
    "ateval": [
        ("bronze", date(2020, 11, 5), date(2020, 12, 31), date(2022, 12, 31)),
    ],
    "produtech": [
        ("bronze", date(2019, 2, 12), date(2019, 3, 31), date(2021, 3, 31)),
        ("silver", date(2021, 2, 10), date(2021, 3, 31), date(2023, 3, 31)),
    ],
    "citeve": [
        ("bronze", date(2020, 11, 25), date(2020, 12, 31), date(2022, 12, 31)),
        ("bronze", date(2023, 11, 20), date(2023, 12, 31), date(2025, 12, 31)),
    ],
    "emc2": [
        ("silver", date(2019, 6, 4), date(2019, 9, 30), date(2021, 9, 30)),
        ("gold", date(2021, 7, 6), date(2021, 9, 30), date(2023, 9, 30)),
    ],
}
# The note of the current label's record (a later seeding replaces its stale dates).
LABEL_NOTE = "Benchmarking visit of work package 2"

# {years}: the five years from the year after the project's start.
STRATEGY_TITLES = {
    "aei": "AEI TÈXTILS strategy {years}: technical textiles for health and mobility",
    "ateval": "ATEVAL strategy {years}: the Valencian textile value chain goes circular",
    "produtech": "PRODUTECH strategy {years}: digital production technologies",
    "citeve": "Cluster Têxtil strategy {years}: sustainable and smart textiles",
    "emc2": "Pôle EMC2 strategy {years}: advanced manufacturing of composite structures",
}

# (title, owner, due month, status)
ROADMAP_ACTIONS = [
    ("Joint catalogue of recycled-fibre suppliers", "ATEVAL", 11, "done"),
    ("Digital product passport pilot with five SMEs", "Cluster Têxtil", 18, "in_progress"),
    ("Shared lean-management training path", "AEI TÈXTILS", 14, "done"),
    ("Second ClusterXchange call with EXTRATEX", "PRODUTECH", 20, "planned"),
    ("Joint stand at JEC World (composites)", "Pôle EMC2", 17, "planned"),
]

# A one-page PDF: the demo's uploaded deliverable files.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _at(day: date, hour: int = 12):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def month_start(start: date, month: int) -> date:
    """The first day of the project's month `month` (M1 begins on `start`)."""
    return add_months(start, month - 1)


def month_end(start: date, month: int) -> date:
    """The last day of the project's month `month`."""
    return add_months(start, month) - timedelta(days=1)


def seed_programme(*, partnership: Partnership, clusters: dict[str, Cluster]) -> Project:
    coordinator = User.objects.filter(email=COORDINATOR_EMAIL).first()
    values = dict(PROJECT)
    start = values["start_date"] = programme_start(timezone.localdate())
    project, _ = Project.objects.update_or_create(
        partnership=partnership, acronym=values.pop("acronym"), defaults=values
    )
    partners = {}
    for key, cluster in clusters.items():
        partners[key], _ = Partner.objects.update_or_create(
            project=project,
            cluster=cluster,
            defaults={
                "role": Partner.Role.COORDINATOR if cluster.is_coordinator else Partner.Role.PARTNER
            },
        )
    wps = {}
    for number, (title, lead, first, last) in WORK_PACKAGES.items():
        wps[number], _ = WorkPackage.objects.update_or_create(
            project=project,
            number=number,
            defaults={
                "title": title,
                "lead": partners[lead],
                "start_month": first,
                "end_month": last,
            },
        )
    for wp, code, title, lead in ACTIVITIES:
        Activity.objects.update_or_create(
            work_package=wps[wp], code=code, defaults={"title": title, "lead": partners[lead]}
        )
    _seed_deliverables(start, wps, partners, coordinator)
    for code, wp, title, due_month, achieved in MILESTONES:
        due = month_end(start, due_month)
        Milestone.objects.update_or_create(
            project=project,
            code=code,
            defaults={
                "work_package": wps[wp],
                "title": title,
                "due_date": due,
                "achieved_on": None if achieved is None else due + timedelta(days=achieved),
            },
        )
    # Two periods of 12 months, each report due two months after the period's end; the
    # first report went in two weeks before its deadline.
    for number, first, last, submitted in [
        (1, 1, 12, month_start(start, 14) + timedelta(days=14)),
        (2, 13, 24, None),
    ]:
        ReportingPeriod.objects.update_or_create(
            project=project,
            number=number,
            defaults={
                "start_date": month_start(start, first),
                "end_date": month_end(start, last),
                "report_due": month_end(start, last + 2),
                "report_submitted_on": submitted,
            },
        )
    kpis = {}
    for position, (code, name, unit, target, source, params, per_cluster) in enumerate(KPIS):
        kpis[code], _ = KPI.objects.update_or_create(
            project=project,
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "target": Decimal(target),
                "source": source,
                "parameters": params,
                "per_cluster": per_cluster,
                "position": position,
            },
        )
    kept = []
    for code, key, first, last, value, note in MANUAL_VALUES:
        end = month_end(start, last)
        row, _ = KPIValue.objects.update_or_create(
            kpi=kpis[code],
            cluster=clusters[key] if key else None,
            period_start=month_start(start, first),
            period_end=end,
            defaults={
                "value": Decimal(value),
                "note": note,
                "entered_by": coordinator,
                "entered_at": _at(end + timedelta(days=10)),
            },
        )
        kept.append(row.pk)
    KPIValue.objects.filter(
        kpi__in=[kpis[code] for code in {v[0] for v in MANUAL_VALUES}],
        entered_by__email=COORDINATOR_EMAIL,
    ).exclude(pk__in=kept).delete()
    _seed_strategies(start, project, clusters, coordinator)
    today = timezone.localdate()
    for key, records in LABELS.items():
        for label, benchmarked, awarded, valid in records:
            LabelRecord.objects.update_or_create(
                cluster=clusters[key],
                label=label,
                awarded_on=awarded,
                defaults={"benchmarked_on": benchmarked, "valid_until": valid},
            )
        benchmarked, awarded, valid = current_label_dates(key, today)
        current, _ = LabelRecord.objects.update_or_create(
            cluster=clusters[key],
            label=clusters[key].label,
            awarded_on=awarded,
            defaults={"benchmarked_on": benchmarked, "valid_until": valid, "note": LABEL_NOTE},
        )
        LabelRecord.objects.filter(cluster=clusters[key], note=LABEL_NOTE).exclude(
            pk=current.pk
        ).delete()
    return project


def _seed_deliverables(start, wps, partners, coordinator):
    for wp, code, title, due_month, status, lead in DELIVERABLES:
        due = month_end(start, due_month)
        done = status in (S.SUBMITTED, S.APPROVED)
        deliverable, _ = Deliverable.objects.update_or_create(
            work_package=wps[wp],
            code=code,
            defaults={
                "title": title,
                "due_date": due,
                "status": status,
                "lead": partners[lead],
                "submitted_at": _at(due, 10) if done else None,
                "approved_by": coordinator if status == S.APPROVED else None,
                "approved_at": _at(due + timedelta(days=6), 16) if status == S.APPROVED else None,
            },
        )
        if done and not deliverable.versions.exists():
            version = DeliverableVersion(
                deliverable=deliverable,
                number=1,
                original_name=f"{code} {title}.pdf",
                content_type="application/pdf",
                size=len(_PDF),
                uploaded_by=coordinator,
                uploaded_at=_at(due, 10),
            )
            version.file.save(f"{code}-v1", ContentFile(_PDF), save=False)
            version.save()
        if done:
            DeliverableTransition.objects.get_or_create(
                deliverable=deliverable,
                to_status=S.SUBMITTED,
                defaults={"from_status": S.IN_PROGRESS, "at": _at(due, 10)},
            )
        if status == S.APPROVED:
            DeliverableTransition.objects.get_or_create(
                deliverable=deliverable,
                to_status=S.APPROVED,
                defaults={
                    "from_status": S.SUBMITTED,
                    "by": coordinator,
                    "at": deliverable.approved_at,
                },
            )


def _seed_strategies(start, project, clusters, coordinator):
    """Five cluster strategies adopted in M12; the joint strategy is a draft (due M15)."""
    years = f"{start.year + 1}–{start.year + 5}"
    for key, title in STRATEGY_TITLES.items():
        doc, _ = StrategyDocument.objects.update_or_create(
            project=project,
            cluster=clusters[key],
            kind=StrategyDocument.Kind.STRATEGY,
            defaults={"title": title.format(years=years)},
        )
        for number, day, final, note in [
            (1, month_start(start, 9) + timedelta(days=14), False, "Draft after the workshop"),
            (2, month_start(start, 12) + timedelta(days=19), True, "Adopted by the board"),
        ]:
            StrategyVersion.objects.update_or_create(
                document=doc,
                number=number,
                defaults={
                    "is_final": final,
                    "note": note,
                    "uploaded_by": coordinator,
                    "uploaded_at": _at(day),
                },
            )
    joint, _ = StrategyDocument.objects.update_or_create(
        project=project,
        cluster=None,
        kind=StrategyDocument.Kind.STRATEGY,
        defaults={"title": f"CLAMTEX joint strategy and roadmap {years}"},
    )
    for number, day, final, note in [
        (1, month_start(start, 14) + timedelta(days=9), False, "Draft for the partners"),
    ]:
        StrategyVersion.objects.update_or_create(
            document=joint,
            number=number,
            defaults={
                "is_final": final,
                "note": note,
                "uploaded_by": coordinator,
                "uploaded_at": _at(day),
            },
        )
    for title, owner, due_month, status in ROADMAP_ACTIONS:
        due = month_end(start, due_month)
        RoadmapAction.objects.update_or_create(
            document=joint,
            title=title,
            defaults={
                "owner": owner,
                "due_date": due,
                "status": status,
                "done_on": due if status == "done" else None,
            },
        )
