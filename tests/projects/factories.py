"""Factories of the programme. Rows are written directly (no services)."""

from datetime import date, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from exchange.models import Application, Exchange
from projects.models import (
    KPI,
    Deliverable,
    KPIValue,
    LabelRecord,
    Partner,
    Project,
    ReportRun,
    RoadmapAction,
    StrategyDocument,
    StrategyVersion,
    WorkPackage,
)
from tests import factories as f
from tests.exchange.factories import ApplicationFactory, CallFactory


class ProjectFactory(DjangoModelFactory):
    """A project that started a year ago and runs 24 months."""

    class Meta:
        model = Project

    partnership = factory.SubFactory(f.PartnershipFactory)
    acronym = factory.Sequence(lambda n: f"PRJ{n}")
    title = factory.Sequence(lambda n: f"Project {n}")
    programme = "COSME"
    call_identifier = "COS-CLUSTER-2018-03-01"
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365))
    duration_months = 24


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    project = factory.SubFactory(ProjectFactory)
    cluster = factory.SubFactory(f.ClusterFactory)
    role = Partner.Role.PARTNER


class WorkPackageFactory(DjangoModelFactory):
    class Meta:
        model = WorkPackage

    project = factory.SubFactory(ProjectFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Work package {n}")


class DeliverableFactory(DjangoModelFactory):
    class Meta:
        model = Deliverable

    work_package = factory.SubFactory(WorkPackageFactory)
    code = factory.Sequence(lambda n: f"D{n}")
    title = factory.Sequence(lambda n: f"Deliverable {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    status = Deliverable.Status.PLANNED


class KPIFactory(DjangoModelFactory):
    class Meta:
        model = KPI

    project = factory.SubFactory(ProjectFactory)
    code = factory.Sequence(lambda n: f"K{n}")
    name = factory.Sequence(lambda n: f"Indicator {n}")
    unit = "items"
    target = 10
    source = KPI.MANUAL
    position = factory.Sequence(lambda n: n)


class KPIValueFactory(DjangoModelFactory):
    class Meta:
        model = KPIValue

    kpi = factory.SubFactory(KPIFactory)
    period_start = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=60))
    period_end = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    value = 1


class StrategyFactory(DjangoModelFactory):
    class Meta:
        model = StrategyDocument

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Strategy {n}")


class StrategyVersionFactory(DjangoModelFactory):
    class Meta:
        model = StrategyVersion

    document = factory.SubFactory(StrategyFactory)
    number = factory.Sequence(lambda n: n + 1)
    is_final = True


class RoadmapActionFactory(DjangoModelFactory):
    class Meta:
        model = RoadmapAction

    document = factory.SubFactory(StrategyFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    owner = "AEI TÈXTILS"
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=90))


class LabelRecordFactory(DjangoModelFactory):
    class Meta:
        model = LabelRecord

    cluster = factory.SubFactory(f.ClusterFactory)
    label = "bronze"
    awarded_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))


class ReportRunFactory(DjangoModelFactory):
    class Meta:
        model = ReportRun

    project = factory.SubFactory(ProjectFactory)
    scope = ReportRun.Scope.PARTNERSHIP
    period_start = factory.LazyAttribute(lambda o: o.project.start_date)
    period_end = factory.LazyFunction(timezone.localdate)
    format = ReportRun.Format.PDF


def exchange(visitor_cluster, host_cluster, status=Exchange.Status.COMPLETED, **kwargs):
    """An exchange between a new member of each cluster, from accepted applications."""
    visitor = f.MembershipFactory(cluster=visitor_cluster).organisation
    host = f.MembershipFactory(cluster=host_cluster).organisation
    call = CallFactory(partnership=visitor_cluster.partnership)
    host_call = CallFactory(partnership=host_cluster.partnership)
    visitor_app = ApplicationFactory(
        call=call,
        organisation=visitor,
        managing_cluster=visitor_cluster,
        status=Application.Status.ACCEPTED,
        submitted_at=timezone.now(),
    )
    host_app = ApplicationFactory(
        call=host_call,
        organisation=host,
        managing_cluster=host_cluster,
        role=Application.Role.HOST,
        status=Application.Status.ACCEPTED,
        submitted_at=timezone.now(),
    )
    return Exchange.objects.create(
        visitor_application=visitor_app,
        host_application=host_app,
        visitor_organisation=visitor,
        host_organisation=host,
        visitor_cluster=visitor_cluster,
        host_cluster=host_cluster,
        status=status,
        **kwargs,
    )


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)
