"""The CLAMTEX programme of the demo: idempotent, on its 24 + 6 month plan, and with the
KPI figures its data gives (computed, never typed)."""

from datetime import date

import pytest
from django.core.management import call_command

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
    assert project.start_date == date(2020, 3, 1)
    assert project.planned_end_date == date(2022, 2, 28)
    assert project.end_date == date(2022, 8, 31)  # the six-month COVID-19 extension
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
    assert rows["K1"].cumulative == 5  # a label per cluster during the project
    assert rows["K3"].cumulative == 5  # five cluster strategies
    assert rows["K4"].cumulative == 1  # one joint strategy
    assert rows["K9"].kpi.target == 40  # about forty exchanges
    assert rows["K11"].cumulative == 19  # manual: 3 + 4 + 3 + 4 + 5
    assert rows["K12"].cumulative == 11
    assert KPIValue.objects.filter(entered_by__email="coordinator@clamtex.example").count() == 7
    # The last label of each cluster is its current one.
    for cluster in Cluster.objects.filter(partnership=project.partnership):
        latest = cluster.label_history.order_by("-awarded_on").first()
        assert (latest.label, latest.valid_until) == (cluster.label, cluster.label_valid_until)
    late = [d.code for d in Deliverable.objects.all() if d.is_late]
    assert late == ["D3.3", "D5.2", "D6.2"]
