"""Pages of the programme: who may open which page (another cluster's manager is refused
on every URL of that cluster), the deliverable workflow through its pages, and query
budgets at two data sizes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exchange.models import Exchange
from projects.models import Deliverable, DeliverableTransition, KPIValue, ReportRun
from projects.services import deliverable_version_upload
from tests import factories as f
from tests import samples
from tests.workshops.factories import EventFactory

from .factories import (
    DeliverableFactory,
    ReportRunFactory,
    RoadmapActionFactory,
    StrategyFactory,
    StrategyVersionFactory,
    exchange,
)

pytestmark = pytest.mark.django_db

D = Deliverable.Status
PDF = samples.PDF


@pytest.fixture
def as_role(client, world):
    def _as(role):
        if role != "anonymous":
            client.force_login(getattr(world, role))
        return client

    return _as


@pytest.fixture
def stranger(world):
    """The manager of a cluster of another partnership."""
    cluster = f.ClusterFactory(partnership=f.PartnershipFactory(), acronym="OTHER")
    return f.ClusterManagerFactory(cluster=cluster, user__email="stranger@example.org").user


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", 200),
        ("coordinator", 200),
        ("manager_a", 200),
        ("manager_b", 200),
        ("rep_a", 403),
        ("outsider", 403),
        ("anonymous", 302),
    ],
)
def test_partnership_dashboard_access(as_role, project, role, expected):
    response = as_role(role).get(reverse("projects:dashboard"))
    assert response.status_code == expected
    if expected == 200:
        html = response.content.decode()
        assert "Exchanges completed" in html and 'id="kpi-table"' in html
        # Only the coordinator (and administrators) report on the whole partnership.
        assert ("Generate report" in html) is (role in ("admin", "coordinator"))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", 200),
        ("coordinator", 200),
        ("manager_a", 200),
        ("manager_b", 403),
        ("rep_a", 403),
        ("outsider", 404),
        ("stranger", 404),
    ],
)
def test_cluster_dashboard_access(client, world, project, stranger, role, expected):
    client.force_login(stranger if role == "stranger" else getattr(world, role))
    response = client.get(reverse("projects:cluster_dashboard", args=[world.cluster_a.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert "Generate report" in response.content.decode()


def test_stranger_sees_no_programme(client, project, stranger):
    client.force_login(stranger)
    response = client.get(reverse("projects:dashboard"))
    assert response.status_code == 200
    assert "No project has been set up" in response.content.decode()
    assert client.get(reverse("projects:dashboard"), {"project": project.pk}).status_code == 404


def _post_report(client, project, cluster=None, **extra):
    data = {
        "project": project.pk,
        "cluster": cluster.pk if cluster else "",
        "period_start": project.start_date.isoformat(),
        "period_end": timezone.localdate().isoformat(),
        "format": "xlsx",
        **extra,
    }
    return client.post(reverse("projects:report_request"), data)


def test_manager_reports_on_own_cluster_only(
    as_role, world, project, django_capture_on_commit_callbacks
):
    client = as_role("manager_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_report(client, project, world.cluster_a)
    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:report_detail", args=[run.pk])
    assert (run.scope, run.cluster, run.status) == ("cluster", world.cluster_a, "done")
    assert _post_report(client, project, world.cluster_b).status_code == 403
    assert _post_report(client, project).status_code == 403  # the whole partnership
    assert ReportRun.objects.count() == 1


def test_coordinator_reports_on_the_partnership(
    as_role, project, django_capture_on_commit_callbacks
):
    client = as_role("coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_report(client, project)
    run = ReportRun.objects.get()
    assert (run.scope, run.cluster, run.status) == ("partnership", None, "done")
    page = client.get(response["Location"]).content.decode()
    assert "Download the report" in page


@pytest.mark.parametrize("project_id", ["", "\x8e¢a", "²", "1 OR 1"])
def test_an_invalid_form_with_a_forged_project_is_a_404_not_a_server_error(
    as_role, project, project_id
):
    client = as_role("coordinator")
    response = client.post(
        reverse("projects:report_request"), {"project": project_id, "format": "xlsx"}
    )
    assert response.status_code == 404


def test_invalid_period_is_refused_with_a_message(as_role, project):
    client = as_role("coordinator")
    response = _post_report(
        client, project, period_start="2030-01-01", period_end="2029-01-01", follow=False
    )
    assert response.status_code == 302
    assert not ReportRun.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "The period ends before it starts." in page


@pytest.mark.parametrize("project_id", ["0000-01-01", "99999999999999999999", "-1", ""])
def test_tampered_project_id_with_a_bad_period_is_a_404(as_role, project, project_id):
    """Hypothesis found it: an invalid form sent the raw project id to the lookup (500)."""
    client = as_role("coordinator")
    response = client.post(
        reverse("projects:report_request"),
        {"project": project_id, "period_start": "2026-02-30", "period_end": "", "format": "pdf"},
    )
    assert response.status_code == 404
    assert not ReportRun.objects.exists()


@pytest.mark.parametrize("url_name", ["report_detail", "report_status", "report_download"])
def test_run_urls_refuse_other_clusters_and_partnerships(
    client, world, project, stranger, url_name
):
    run_a = ReportRunFactory(project=project, scope="cluster", cluster=world.cluster_a)
    run_p = ReportRunFactory(project=project)
    for user, run in [
        (world.manager_b, run_a),
        (world.manager_a, run_p),
        (world.rep_a, run_a),
        (stranger, run_a),
    ]:
        client.force_login(user)
        assert client.get(reverse(f"projects:{url_name}", args=[run.pk])).status_code == 404
    client.force_login(world.manager_a)
    expected = 404 if url_name == "report_download" else 200  # not generated yet
    assert client.get(reverse(f"projects:{url_name}", args=[run_a.pk])).status_code == expected


# --- Deliverables ---------------------------------------------------------------------------


def _upload(deliverable, user, submit=True):
    return deliverable_version_upload(
        deliverable=deliverable,
        upload=SimpleUploadedFile("handbook.pdf", PDF, content_type="application/pdf"),
        note="first draft",
        submit=submit,
        by=user,
    )


def test_lead_partner_uploads_and_submits(as_role, world, project):
    client = as_role("manager_a")
    url = reverse("projects:deliverable_upload", args=[project.d_a.pk])
    response = client.post(
        url,
        {"file": SimpleUploadedFile("D1.1 handbook.pdf", PDF), "note": "v1", "submit": "on"},
    )
    assert response.status_code == 302
    d = Deliverable.objects.get(pk=project.d_a.pk)
    assert d.status == D.SUBMITTED
    version = d.versions.get()
    assert (version.number, version.original_name, version.uploaded_by) == (
        1,
        "D1.1 handbook.pdf",
        world.manager_a,
    )
    assert "private/deliverables/" in version.file.name and "handbook" not in version.file.name
    page = client.get(reverse("projects:deliverable_detail", args=[d.pk])).content.decode()
    assert "v1 · D1.1 handbook.pdf" in page and "Approve" not in page
    download = client.get(reverse("projects:version_download", args=[version.pk]))
    assert b"".join(download.streaming_content) == PDF


def test_other_partner_cannot_upload(as_role, project):
    client = as_role("manager_b")
    response = client.post(
        reverse("projects:deliverable_upload", args=[project.d_a.pk]),
        {"file": SimpleUploadedFile("x.pdf", PDF)},
    )
    assert response.status_code == 403
    assert not project.d_a.versions.exists()


def test_upload_refuses_what_is_not_a_document(as_role, project):
    client = as_role("manager_a")
    response = client.post(
        reverse("projects:deliverable_upload", args=[project.d_a.pk]),
        {"file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")},
        follow=True,
    )
    assert "Only PDF, DOCX or ODT documents are accepted." in response.content.decode()
    assert not project.d_a.versions.exists()


def test_coordinator_approves_after_confirmation(as_role, world, project):
    _upload(project.d_a, world.manager_a)
    client = as_role("coordinator")
    url = reverse("projects:deliverable_approve", args=[project.d_a.pk])
    confirm = client.get(url)
    assert "This cannot be undone." in confirm.content.decode()
    assert Deliverable.objects.get(pk=project.d_a.pk).status == D.SUBMITTED
    client.post(url, {"note": "Fine"})
    d = Deliverable.objects.get(pk=project.d_a.pk)
    assert (d.status, d.approved_by) == (D.APPROVED, world.coordinator)
    assert d.approved_at is not None
    last = DeliverableTransition.objects.filter(deliverable=d).last()
    assert (last.from_status, last.to_status, last.by, last.note) == (
        D.SUBMITTED,
        D.APPROVED,
        world.coordinator,
        "Fine",
    )
    page = client.get(reverse("projects:deliverable_detail", args=[d.pk])).content.decode()
    assert "Submitted → <strong>Approved</strong>" in page


def test_manager_cannot_approve(as_role, world, project):
    _upload(project.d_a, world.manager_a)
    client = as_role("manager_a")
    response = client.post(reverse("projects:deliverable_approve", args=[project.d_a.pk]))
    assert response.status_code == 403
    assert Deliverable.objects.get(pk=project.d_a.pk).status == D.SUBMITTED


def test_a_planned_deliverable_cannot_be_approved(as_role, project):
    client = as_role("coordinator")
    response = client.post(
        reverse("projects:deliverable_approve", args=[project.d_b.pk]), follow=True
    )
    assert "cannot go from “Planned” to “Approved”" in response.content.decode()
    assert Deliverable.objects.get(pk=project.d_b.pk).status == D.PLANNED


def test_coordinator_sends_back_with_a_reason(as_role, world, project):
    _upload(project.d_a, world.manager_a)
    client = as_role("coordinator")
    url = reverse("projects:deliverable_return", args=[project.d_a.pk])
    client.post(url, {"note": ""})
    assert Deliverable.objects.get(pk=project.d_a.pk).status == D.SUBMITTED
    client.post(url, {"note": "Add the budget table"})
    assert Deliverable.objects.get(pk=project.d_a.pk).status == D.IN_PROGRESS


def test_deliverable_urls_refuse_people_outside_the_project(client, world, project, stranger):
    version = _upload(project.d_a, world.manager_a)
    for user in (stranger, world.rep_a, world.outsider):
        client.force_login(user)
        for name, pk in [
            ("deliverable_detail", project.d_a.pk),
            ("deliverable_approve", project.d_a.pk),
            ("deliverable_return", project.d_a.pk),
            ("version_download", version.pk),
        ]:
            assert client.get(reverse(f"projects:{name}", args=[pk])).status_code == 404, name


# --- Manual KPI values ------------------------------------------------------------------------


def test_manager_enters_a_value_for_own_cluster_only(as_role, world, project):
    client = as_role("manager_a")
    k3 = project.kpis.get(code="K3")
    url = reverse("projects:kpi_value_add", args=[project.pk])
    data = {
        "kpi": k3.pk,
        "period_start": project.start_date.isoformat(),
        "period_end": timezone.localdate().isoformat(),
        "value": "3",
    }
    assert client.post(url, {**data, "cluster": world.cluster_b.pk}).status_code == 200
    assert client.post(url, {**data, "cluster": ""}).status_code == 200  # partnership: no
    assert not KPIValue.objects.exists()
    response = client.post(url, {**data, "cluster": world.cluster_a.pk})
    assert response.status_code == 302
    value = KPIValue.objects.get()
    assert (value.cluster, value.entered_by, value.value) == (world.cluster_a, world.manager_a, 3)
    computed = project.kpis.get(code="K1")
    response = client.post(url, {**data, "kpi": computed.pk, "cluster": world.cluster_a.pk})
    assert response.status_code == 200 and KPIValue.objects.count() == 1


# --- Query budgets -----------------------------------------------------------------------------


def _fill(world, project, n):
    wp = project.work_packages.first()
    start = timezone.now() - timedelta(days=3)
    for i in range(n):
        d = DeliverableFactory(
            work_package=wp, due_date=timezone.localdate() - timedelta(days=i - n // 2)
        )
        if i % 3 == 0:
            _upload(d, world.coordinator)
        EventFactory(partnership=world.partnership, organisers=[world.cluster_a, world.cluster_b])
        EventFactory(
            partnership=world.partnership,
            organisers=[world.cluster_a],
            start=start,
            end=start + timedelta(hours=2),
        )
        exchange(world.cluster_a, world.cluster_b, Exchange.Status.COMPLETED)
        cluster = f.ClusterFactory(partnership=world.partnership)
        doc = StrategyFactory(project=project, cluster=cluster)
        StrategyVersionFactory(document=doc, number=1, is_final=False)
        StrategyVersionFactory(document=doc, number=2)
        RoadmapActionFactory(document=doc)
        ReportRunFactory(project=project, requested_by=world.coordinator)
        ReportRunFactory(
            project=project, scope="cluster", cluster=world.cluster_a, requested_by=world.manager_a
        )


def _counts(client, url):
    """(queries of the first request after a write, queries of the next one): the
    dashboards' figures are computed on the first and read from the cache on the next."""
    with CaptureQueriesContext(connection) as cold:
        response = client.get(url)
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as warm:
        response = client.get(url)
    return len(cold), len(warm), response.content.decode()


@pytest.mark.parametrize(
    ("role", "cluster", "budget"),
    # The cluster dashboard (not in the bench) is over the issue 11 budget by two: the
    # cluster's own page and permission lookups; see docs/performance.md.
    [("coordinator", False, 10), ("manager_a", True, 12)],
    ids=["partnership", "cluster"],
)
def test_dashboard_queries_do_not_grow(as_role, world, project, role, cluster, budget):
    """The same number of queries at two sizes, and within the budget when the figures
    come from the cache (about 30 on the request that computes them)."""
    client = as_role(role)
    if cluster:
        url = reverse("projects:cluster_dashboard", args=[world.cluster_a.pk])
    else:
        url = reverse("projects:dashboard")
    client.get(url)  # per-process caches (translations, content types)
    _fill(world, project, 3)
    small_cold, small, html = _counts(client, url)
    assert html.count('class="fw-semibold">D') == 3 + 2
    _fill(world, project, 30)
    large_cold, large, html = _counts(client, url)
    assert html.count('class="fw-semibold">D') == 33 + 2
    assert (small_cold, small) == (large_cold, large)
    assert large <= budget
    assert large_cold <= 30


def test_dashboard_figures_follow_a_new_value_at_once(as_role, world, project):
    """The cached figures are dropped by any write they are computed from."""
    client = as_role("coordinator")
    k3 = project.kpis.get(code="K3")
    url = reverse("projects:dashboard")
    client.get(url)
    KPIValue.objects.create(
        kpi=k3,
        period_start=project.start_date,
        period_end=timezone.localdate(),
        value=Decimal("1234"),
        entered_by=world.coordinator,
    )
    assert "1234" in client.get(url).content.decode()


@pytest.mark.parametrize("n", [3, 30])
def test_deliverable_detail_query_budget(as_role, world, project, django_assert_max_num_queries, n):
    for _ in range(n):
        _upload(project.d_a, world.manager_a, submit=False)
    client = as_role("coordinator")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("projects:deliverable_detail", args=[project.d_a.pk]))
    assert response.content.decode().count("handbook.pdf") == n


@pytest.mark.parametrize("n", [3, 30])
def test_report_page_query_budget(as_role, world, project, django_assert_max_num_queries, n):
    _fill(world, project, n)
    run = ReportRun.objects.filter(scope="partnership").first()
    client = as_role("coordinator")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("projects:report_detail", args=[run.pk]))
    assert response.status_code == 200


def test_admin_pages_of_the_programme(client, world, project):
    client.force_login(world.admin)
    for model in ("project", "deliverable", "kpi", "kpivalue", "reportrun", "labelrecord"):
        assert client.get(reverse(f"admin:projects_{model}_changelist")).status_code == 200
    response = client.get(reverse("admin:projects_kpi_change", args=[project.kpis.first().pk]))
    assert 'value="exchanges_completed" selected' in response.content.decode()


def test_report_form_defaults_to_the_current_call(as_role, project):
    from tests.exchange.factories import CallFactory

    client = as_role("coordinator")
    form = client.get(reverse("projects:dashboard")).context["report_form"]
    today = timezone.localdate()
    assert form.initial["period_end"] == today
    assert form.initial["period_start"] == today - timedelta(days=365)  # no call open
    call = CallFactory(partnership=project.partnership, opens_on=today - timedelta(days=40))
    form = client.get(reverse("projects:dashboard")).context["report_form"]
    assert (form.initial["period_start"], form.initial["period_end"]) == (call.opens_on, today)
