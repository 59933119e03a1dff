import pytest

from projects.models import KPI, Partner

from .factories import (
    DeliverableFactory,
    KPIFactory,
    PartnerFactory,
    ProjectFactory,
    WorkPackageFactory,
)


@pytest.fixture
def project(world):
    """The world's partnership runs a project: cluster A coordinates, B is a partner;
    WP1 is led by A, WP2 by B, each with a deliverable; three KPIs (computed and manual)."""
    project = ProjectFactory(partnership=world.partnership, acronym="CLAMTEX")
    a = PartnerFactory(project=project, cluster=world.cluster_a, role=Partner.Role.COORDINATOR)
    b = PartnerFactory(project=project, cluster=world.cluster_b)
    wp1 = WorkPackageFactory(project=project, number=1, title="Management", lead=a)
    wp2 = WorkPackageFactory(project=project, number=2, title="ClusterXchange", lead=b)
    project.d_a = DeliverableFactory(work_package=wp1, code="D1.1", title="Handbook")
    project.d_b = DeliverableFactory(work_package=wp2, code="D2.1", title="Guidelines")
    KPIFactory(
        project=project,
        code="K1",
        name="Exchanges completed",
        target=40,
        source="exchanges_completed",
    )
    KPIFactory(project=project, code="K2", name="Events held", target=6, source="events_held")
    KPIFactory(project=project, code="K3", name="Staff trained", target=25, source=KPI.MANUAL)
    return project
