"""CLAMTEX's programme as demo data: the project (24 months from March 2020, extended by
six months after COVID-19), its partners, work packages, activities, deliverables and
milestones, reporting periods, KPIs like those of comparable partnerships, some manual
KPI values, cluster strategies with versions and roadmap actions, and the label history.

Idempotent: every row is looked up by its natural key (project and code, cluster and
date …) and refreshed. Rows are written directly (no services): seeding sends nothing.
The label history ends on each cluster's current label (members/demo/data.py)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

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
    "start_date": date(2020, 3, 1),
    "duration_months": 24,
    "extension_months": 6,
    "description": (
        "Five textile and advanced-manufacturing clusters strengthen their management "
        "(benchmarking and labelling, capacity building), write their strategies and a "
        "joint one, and send their SMEs abroad through ClusterXchange. Extended by six "
        "months after the COVID-19 lockdowns moved most activities online."
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

# (work package, code, title, due date, status, lead; approved deliverables get v1)
DELIVERABLES = [
    (1, "D1.1", "Project handbook and quality plan", date(2020, 4, 30), S.APPROVED, "aei"),
    (1, "D1.2", "First progress report", date(2021, 3, 31), S.APPROVED, "aei"),
    (1, "D1.3", "Final report", date(2022, 10, 31), S.SUBMITTED, "aei"),
    (
        2,
        "D2.1",
        "Benchmarking reports of the five clusters",
        date(2020, 12, 31),
        S.APPROVED,
        "emc2",
    ),
    (2, "D2.2", "Label upgrade plans", date(2021, 6, 30), S.APPROVED, "emc2"),
    (3, "D3.1", "Capacity-building programme", date(2020, 9, 30), S.APPROVED, "ateval"),
    (
        3,
        "D3.2",
        "Training materials (design thinking, lean)",
        date(2021, 9, 30),
        S.APPROVED,
        "ateval",
    ),
    (
        3,
        "D3.3",
        "Report on learning events and study visits",
        date(2022, 5, 31),
        S.IN_PROGRESS,
        "ateval",
    ),
    (4, "D4.1", "Five cluster strategies", date(2021, 11, 30), S.APPROVED, "citeve"),
    (4, "D4.2", "Joint partnership strategy and roadmap", date(2022, 6, 30), S.SUBMITTED, "citeve"),
    (5, "D5.1", "ClusterXchange guidelines and call", date(2020, 10, 31), S.APPROVED, "produtech"),
    (5, "D5.2", "ClusterXchange monitoring report", date(2022, 7, 31), S.PLANNED, "produtech"),
    (6, "D6.1", "Communication plan and visual identity", date(2020, 5, 31), S.APPROVED, "aei"),
    (6, "D6.2", "Final conference proceedings", date(2022, 8, 31), S.IN_PROGRESS, "aei"),
]

# (code, work package, title, due date, achieved on)
MILESTONES = [
    ("MS1", 1, "Kick-off meeting in Terrassa", date(2020, 3, 5), date(2020, 3, 5)),
    (
        "MS2",
        2,
        "Benchmarking of all partner clusters completed",
        date(2020, 12, 31),
        date(2021, 2, 15),
    ),
    ("MS3", 5, "First ClusterXchange call open", date(2020, 11, 1), date(2020, 11, 2)),
    ("MS4", 4, "Five cluster strategies adopted", date(2021, 11, 30), date(2021, 12, 10)),
    ("MS5", 4, "Joint partnership strategy adopted", date(2022, 6, 30), date(2022, 6, 29)),
    ("MS6", 6, "Final conference", date(2022, 8, 31), None),
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

# (kpi, cluster key or None, period start, period end, value, note)
MANUAL_VALUES = [
    ("K11", "aei", date(2020, 3, 1), date(2021, 2, 28), 3, "Design thinking facilitators"),
    ("K11", "ateval", date(2020, 3, 1), date(2021, 2, 28), 4, ""),
    ("K11", "produtech", date(2021, 3, 1), date(2022, 2, 28), 3, ""),
    ("K11", "citeve", date(2021, 3, 1), date(2022, 2, 28), 4, "Lean management course"),
    ("K11", "emc2", date(2021, 3, 1), date(2022, 2, 28), 5, ""),
    ("K12", None, date(2020, 3, 1), date(2021, 2, 28), 5, "Newsletters 1–3 and two press releases"),
    ("K12", None, date(2021, 3, 1), date(2022, 8, 31), 6, ""),
]

# cluster key: [(label, benchmarked on, awarded on, valid until)], oldest first; the last
# one is each cluster's current label in members/demo/data.py.
LABELS = {
    "aei": [
        ("bronze", date(2019, 5, 10), date(2019, 6, 30), date(2021, 6, 30)),
        ("silver", date(2020, 10, 20), date(2021, 1, 15), date(2023, 1, 15)),
        ("silver", date(2025, 5, 20), date(2025, 6, 30), date(2027, 6, 30)),
    ],
    "ateval": [
        ("bronze", date(2020, 11, 5), date(2020, 12, 31), date(2022, 12, 31)),
        ("bronze", date(2024, 11, 15), date(2024, 12, 31), date(2026, 12, 31)),
    ],
    "produtech": [
        ("bronze", date(2019, 2, 12), date(2019, 3, 31), date(2021, 3, 31)),
        ("silver", date(2021, 2, 10), date(2021, 3, 31), date(2023, 3, 31)),
        ("silver", date(2025, 2, 18), date(2025, 3, 31), date(2027, 3, 31)),
    ],
    "citeve": [
        ("bronze", date(2020, 11, 25), date(2020, 12, 31), date(2022, 12, 31)),
        ("bronze", date(2023, 11, 20), date(2023, 12, 31), date(2025, 12, 31)),
    ],
    "emc2": [
        ("silver", date(2019, 6, 4), date(2019, 9, 30), date(2021, 9, 30)),
        ("gold", date(2021, 7, 6), date(2021, 9, 30), date(2023, 9, 30)),
        ("gold", date(2025, 7, 8), date(2025, 9, 30), date(2027, 9, 30)),
    ],
}

STRATEGY_TITLES = {
    "aei": "AEI TÈXTILS strategy 2022–2026: technical textiles for health and mobility",
    "ateval": "ATEVAL strategy 2022–2026: the Valencian textile value chain goes circular",
    "produtech": "PRODUTECH strategy 2022–2026: digital production technologies",
    "citeve": "Cluster Têxtil strategy 2022–2026: sustainable and smart textiles",
    "emc2": "Pôle EMC2 strategy 2022–2026: advanced manufacturing of composite structures",
}

# (title, owner, due date, status)
ROADMAP_ACTIONS = [
    ("Joint catalogue of recycled-fibre suppliers", "ATEVAL", date(2022, 12, 31), "done"),
    (
        "Digital product passport pilot with five SMEs",
        "Cluster Têxtil",
        date(2023, 6, 30),
        "in_progress",
    ),
    ("Shared lean-management training path", "AEI TÈXTILS", date(2023, 3, 31), "done"),
    ("Second ClusterXchange call with EXTRATEX", "PRODUTECH", date(2023, 9, 30), "planned"),
    ("Joint stand at JEC World (composites)", "Pôle EMC2", date(2023, 3, 7), "done"),
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


def seed_programme(*, partnership: Partnership, clusters: dict[str, Cluster]) -> Project:
    coordinator = User.objects.filter(email=COORDINATOR_EMAIL).first()
    values = dict(PROJECT)
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
    for number, (title, lead, start, end) in WORK_PACKAGES.items():
        wps[number], _ = WorkPackage.objects.update_or_create(
            project=project,
            number=number,
            defaults={
                "title": title,
                "lead": partners[lead],
                "start_month": start,
                "end_month": end,
            },
        )
    for wp, code, title, lead in ACTIVITIES:
        Activity.objects.update_or_create(
            work_package=wps[wp], code=code, defaults={"title": title, "lead": partners[lead]}
        )
    _seed_deliverables(wps, partners, coordinator)
    for code, wp, title, due, achieved in MILESTONES:
        Milestone.objects.update_or_create(
            project=project,
            code=code,
            defaults={
                "work_package": wps[wp],
                "title": title,
                "due_date": due,
                "achieved_on": achieved,
            },
        )
    for number, start, end, due, submitted in [
        (1, date(2020, 3, 1), date(2021, 2, 28), date(2021, 4, 30), date(2021, 4, 28)),
        (2, date(2021, 3, 1), date(2022, 8, 31), date(2022, 10, 31), None),
    ]:
        ReportingPeriod.objects.update_or_create(
            project=project,
            number=number,
            defaults={
                "start_date": start,
                "end_date": end,
                "report_due": due,
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
    for code, key, start, end, value, note in MANUAL_VALUES:
        KPIValue.objects.update_or_create(
            kpi=kpis[code],
            cluster=clusters[key] if key else None,
            period_start=start,
            period_end=end,
            defaults={
                "value": Decimal(value),
                "note": note,
                "entered_by": coordinator,
                "entered_at": _at(end) if end < timezone.localdate() else timezone.now(),
            },
        )
    _seed_strategies(project, clusters, coordinator)
    for key, records in LABELS.items():
        for label, benchmarked, awarded, valid in records:
            LabelRecord.objects.update_or_create(
                cluster=clusters[key],
                label=label,
                awarded_on=awarded,
                defaults={"benchmarked_on": benchmarked, "valid_until": valid},
            )
    return project


def _seed_deliverables(wps, partners, coordinator):
    for wp, code, title, due, status, lead in DELIVERABLES:
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
                "approved_at": _at(due.replace(day=28), 16) if status == S.APPROVED else None,
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


def _seed_strategies(project, clusters, coordinator):
    documents = []
    for key, title in STRATEGY_TITLES.items():
        doc, _ = StrategyDocument.objects.update_or_create(
            project=project,
            cluster=clusters[key],
            kind=StrategyDocument.Kind.STRATEGY,
            defaults={"title": title},
        )
        documents.append(doc)
        for number, day, final, note in [
            (1, date(2021, 6, 15), False, "Draft after the strategy workshop"),
            (2, date(2021, 11, 20), True, "Adopted by the board"),
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
        defaults={"title": "CLAMTEX joint strategy and roadmap 2022–2026"},
    )
    for number, day, final, note in [
        (1, date(2022, 3, 30), False, "Draft for the partners"),
        (2, date(2022, 6, 29), True, "Adopted at the partner meeting"),
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
    for title, owner, due, status in ROADMAP_ACTIONS:
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
