"""The CLAMTEX programme of the demo: idempotent, alive (24 months started 14 months before
today), and with the KPI figures its data gives (computed, never typed)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from members.models import Cluster
from notifications.models import Email
from projects import kpis
from projects.models import (
    KPI,
    Deliverable,
    DeliverableVersion,
    KPIValue,
    LabelRecord,
    Milestone,
    Project,
    StrategyDocument,
    StrategyVersion,
    WorkPackage,
)

pytestmark = pytest.mark.django_db

MODELS = (
    Project,
    WorkPackage,
    Deliverable,
    DeliverableVersion,
    Milestone,
    KPI,
    KPIValue,
    StrategyDocument,
    StrategyVersion,
    LabelRecord,
)


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_demo_programme(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    assert first["WorkPackage"] == 6 and first["Deliverable"] >= 12
    assert not Email.objects.exists()

    project = Project.objects.get(acronym="CLAMTEX")
    today = timezone.localdate()
    start = project.start_date
    assert start.day == 1
    assert (today.year * 12 + today.month) - (start.year * 12 + start.month) == 14
    assert project.planned_end_date == project.end_date  # 24 months, no extension
    assert project.end_date + timedelta(days=1) == start.replace(year=start.year + 2)
    assert project.start_date <= today <= project.end_date
    # The partnership runs with its programme (the exchange window depends on it).
    assert (project.partnership.start_date, project.partnership.end_date) == (
        project.start_date,
        project.end_date,
    )
    assert project.partners.get(role="coordinator").cluster.acronym == "AEI TÈXTILS"
    assert [wp.title.split()[0] for wp in project.work_packages.all()] == [
        "Project",
        "Benchmarking",
        "Capacity",
        "Cluster",
        "ClusterXchange",
        "Communication",
    ]

    rows = {row.kpi.code: row for row in kpis.kpi_table(project)}
    # Every cluster benchmarked (by M10, MS2) and labelled during the project.
    assert rows["K1"].cumulative == 5 and rows["K2"].cumulative == 5
    for cluster in Cluster.objects.filter(partnership=project.partnership):
        assert kpis.kpi_table(project, cluster=cluster)[0].cumulative == 1
        assert cluster.label_valid_until > today
    assert rows["K3"].cumulative == 5  # five cluster strategies, adopted in M12
    assert rows["K4"].cumulative == 0  # the joint strategy is a draft, due this month
    assert rows["K5"].cumulative == 2  # the two study visits of the past weeks
    assert rows["K9"].kpi.target == 40  # about forty exchanges
    assert rows["K11"].cumulative == 19  # manual: 3 + 4 + 3 + 4 + 5
    assert rows["K12"].cumulative == 11
    assert KPIValue.objects.filter(entered_by__email="coordinator@clamtex.example").count() == 7
    # The last label of each cluster is its current one.
    for cluster in Cluster.objects.filter(partnership=project.partnership):
        latest = cluster.label_history.order_by("-awarded_on").first()
        assert (latest.label, latest.valid_until) == (cluster.label, cluster.label_valid_until)
    # Some deliverables done, one due this month, two late; the rest planned.
    late = sorted(d.code for d in Deliverable.objects.all() if d.is_late)
    assert late == ["D2.2", "D3.2"]
    done = Deliverable.objects.filter(status__in=Deliverable.DONE)
    assert done.count() == 7 and all(d.due_date < today for d in done)
    soon = Deliverable.objects.get(code="D4.2")
    assert today <= soon.due_date < today + timedelta(days=31)
    assert Deliverable.objects.filter(due_date__gt=soon.due_date).count() == 4
    assert project.milestones.filter(achieved_on__isnull=True, due_date__gte=today).count() == 2
    first, second = project.reporting_periods.order_by("number")
    assert first.report_submitted_on < today < second.end_date
