"""End-to-end journey of a progress report in headless Chromium against the live server:
the coordinator opens the programme dashboard, asks for a report, watches the page
(htmx polling the run) turn to "Ready" once the worker has generated it, and downloads
the PDF."""

from datetime import timedelta

import pytest
from django.utils import timezone

from projects import services
from projects.models import ReportRun
from tests.projects.factories import (
    DeliverableFactory,
    KPIFactory,
    PartnerFactory,
    ProjectFactory,
    WorkPackageFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


@pytest.fixture
def programme(world):
    project = ProjectFactory(
        partnership=world.partnership,
        acronym="CLAMTEX",
        title="Cluster management towards excellence",
    )
    lead = PartnerFactory(project=project, cluster=world.cluster_a, role="coordinator")
    PartnerFactory(project=project, cluster=world.cluster_b)
    wp = WorkPackageFactory(project=project, number=1, title="Management", lead=lead)
    DeliverableFactory(
        work_package=wp,
        code="D1.1",
        title="Project handbook",
        due_date=timezone.localdate() - timedelta(days=3),
    )
    KPIFactory(
        project=project,
        code="K1",
        name="Exchanges completed",
        target=40,
        source="exchanges_completed",
    )
    return project


@pytest.fixture
def worker_later(monkeypatch):
    """Nothing is handed to Celery on commit: the test plays the worker, so that the page
    is seen waiting first and the htmx polling is what shows the result."""
    queued = []
    monkeypatch.setattr(services, "enqueue_report", queued.append)
    return queued


def test_coordinator_generates_and_downloads_a_report(
    page, log_in, world, programme, worker_later, tmp_path
):
    log_in(world.coordinator)
    page.get_by_role("link", name="Programme").click()
    page.wait_for_url("**/projects/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("CLAMTEX")
    kpis = page.locator("#kpi-table")
    expect(kpis.locator("tr[data-kpi=K1]")).to_contain_text("Exchanges completed")
    expect(page.locator("#deliverables li[data-late]")).to_contain_text("D1.1")
    expect(page.get_by_test_id("late-count")).to_have_text("1 late")
    # Chart.js drew the chart from static/ (no CDN): the canvas has a chart attached.
    page.wait_for_function("() => window.Chart && window.Chart.getChart('kpi-chart')")

    reports = page.get_by_role("region", name="Progress report")
    expect(reports.get_by_label("Format")).to_have_value("pdf")
    reports.get_by_role("button", name="Generate report").click()
    page.wait_for_url("**/projects/reports/*/")
    status = page.locator("#run-status")
    expect(status).to_have_attribute("data-status", "pending")
    expect(status).to_contain_text("Waiting to start")

    run = ReportRun.objects.get()
    assert worker_later == [run.pk]
    assert services.report_generate(run_id=run.pk) == ReportRun.Status.DONE

    # The polling (every 2 s) replaces the fragment: no reload needed.
    page.evaluate("window.__sameDocument = true")
    expect(status).to_have_attribute("data-status", "done", timeout=8_000)
    expect(status).to_contain_text("Ready")
    assert page.evaluate("window.__sameDocument") is True

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the report (PDF)").click()
    download = info.value
    assert download.suggested_filename.startswith("CLAMTEX-report-")
    assert download.suggested_filename.endswith(".pdf")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")
