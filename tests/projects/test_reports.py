"""Generated reports: the XLSX opened with openpyxl and the PDF's text extracted with
pypdf, each checked for the figures of known data; the progress states shown on the
report page; failures stored and shown; retention; the monthly schedule by email."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from exchange.models import Exchange, Payment
from notifications.models import Email
from projects import reports, services, tasks
from projects.models import Deliverable, ReportRun
from tests.workshops.factories import EventFactory, RegistrationFactory
from workshops.models import Event, Registration

from .factories import KPIValueFactory, ReportRunFactory, days_ago, exchange

pytestmark = pytest.mark.django_db

X = Exchange.Status


@pytest.fixture
def data(world, project):
    """Known figures: 2 exchanges completed (1 paid €390) for cluster A's visitors and 1 for
    B's; one training of A held with 3 participants; 7 staff trained (manual); D1.1 late."""
    a, b = world.cluster_a, world.cluster_b
    exchange(a, b, X.REPORT_VALIDATED)  # completed = report validated
    Payment.objects.create(
        exchange=exchange(a, b, X.PAID),
        amount=Decimal("390"),
        paid_on=days_ago(2),
        reference="SEPA-1",
        recorded_by=world.manager_a,
    )
    exchange(b, a, X.REPORT_VALIDATED)
    start = timezone.now() - timedelta(days=10)
    training = EventFactory(
        partnership=world.partnership,
        organisers=[a],
        kind=Event.Kind.TRAINING,
        title="Lean management training",
        start=start,
        end=start + timedelta(hours=4),
    )
    RegistrationFactory.create_batch(3, event=training, status=Registration.Status.ATTENDED)
    KPIValueFactory(kpi=project.kpis.get(code="K3"), cluster=a, value=7)
    Deliverable.objects.filter(pk=project.d_a.pk).update(due_date=days_ago(5))
    return project


def _generate(project, user, django_capture_on_commit_callbacks, fmt, cluster=None):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.report_request(
            project=project,
            cluster=cluster,
            period_start=project.start_date,
            period_end=timezone.localdate(),
            format=fmt,
            by=user,
        )
    run.refresh_from_db()
    return run


def _sheet_rows(workbook, name):
    return [list(row) for row in workbook[name].iter_rows(values_only=True)]


def test_xlsx_report_of_the_partnership(world, data, django_capture_on_commit_callbacks):
    run = _generate(data, world.coordinator, django_capture_on_commit_callbacks, "xlsx")
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.progress == 100
    assert run.duration is not None and run.duration.total_seconds() > 0
    assert run.expires_at > timezone.now()
    with run.file.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    assert workbook.sheetnames == [
        "Summary",
        "KPIs",
        "Deliverables",
        "Milestones",
        "Events",
        "ClusterXchange",
        "Exchanges",
        "Strategies",
        "Labels",
    ]
    kpi_sheet = workbook["KPIs"]
    assert kpi_sheet["A1"].font.b and kpi_sheet.column_dimensions["B"].width == 44
    rows = _sheet_rows(workbook, "KPIs")
    by_code = {row[0]: row for row in rows[1:-1]}
    assert by_code["K1"][3:7] == [40, 3, 3, 7]  # target, period, cumulative, % (3 of 40)
    assert by_code["K2"][4:6] == [1, 1]  # one event held
    assert by_code["K3"][4:6] == [7, 7]
    assert rows[-1][0] == "Total" and rows[-1][1].startswith("3 indicators")
    deliverables = _sheet_rows(workbook, "Deliverables")
    assert [r[1] for r in deliverables[1:-1]] == ["D1.1", "D2.1"]
    assert deliverables[1][6] == "yes"  # D1.1 is late
    assert deliverables[-1][:2] == ["Total", 2] and deliverables[-1][6] == 1
    events = _sheet_rows(workbook, "Events")
    assert events[1][1] == "Lean management training" and events[1][5] == 3
    assert events[-1][0] == "Total" and events[-1][5] == 3
    funnel = dict(r[:2] for r in _sheet_rows(workbook, "ClusterXchange")[1:6])
    assert funnel["Completed"] == 3 and funnel["Paid"] == 1
    grants = {r[0]: r[1] for r in _sheet_rows(workbook, "ClusterXchange")[6:8]}
    assert grants == {"Grants paid": 1, "Amount paid (€)": 390}
    exchanges = _sheet_rows(workbook, "Exchanges")
    assert exchanges[-1][:2] == ["Total", 3] and exchanges[-1][6] == 390
    # Rows covered: 3 KPIs, 2 deliverables, 1 event, 5 funnel stages, 3 exchanges.
    assert run.rows == 3 + 2 + 1 + 5 + 3


def test_xlsx_report_of_one_cluster_counts_its_visitors_only(
    world, data, django_capture_on_commit_callbacks
):
    run = _generate(
        data, world.manager_b, django_capture_on_commit_callbacks, "xlsx", world.cluster_b
    )
    assert run.status == ReportRun.Status.DONE, run.error
    with run.file.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    by_code = {row[0]: row for row in _sheet_rows(workbook, "KPIs")[1:-1]}
    assert by_code["K1"][5] == 1  # B's visitor only
    assert by_code["K2"][5] == 0  # the training was A's
    assert by_code["K3"][5] == 0
    assert _sheet_rows(workbook, "Exchanges")[-1][:2] == ["Total", 1]


def test_pdf_report_text_has_the_figures(world, data, django_capture_on_commit_callbacks):
    run = _generate(data, world.coordinator, django_capture_on_commit_callbacks, "pdf")
    assert run.status == ReportRun.Status.DONE, run.error
    with run.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Progress report" in text
    assert "CLAMTEX" in text
    assert "3 / 40 (7 %)" in text  # the SVG chart's label of K1
    assert "7 / 25 (28 %)" in text  # K3, manual
    assert "1 / 6 (16 %)" in text  # K2, one event held
    assert "Lean management training" in text
    assert "1 late" in text
    assert "Grants paid: 1, for €390.00 recorded." in text
    assert run.rows > 0 and run.file_size > 1000


def test_report_request_is_refused_outside_ones_scope(world, project):
    from django.core.exceptions import PermissionDenied

    start, end = project.start_date, timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.report_request(
            project=project,
            cluster=None,
            period_start=start,
            period_end=end,
            format="pdf",
            by=world.manager_a,
        )
    with pytest.raises(PermissionDenied):
        services.report_request(
            project=project,
            cluster=world.cluster_b,
            period_start=start,
            period_end=end,
            format="pdf",
            by=world.manager_a,
        )
    assert not ReportRun.objects.exists()


@pytest.mark.parametrize(
    ("status", "progress", "error", "expected", "polls"),
    [
        ("pending", 0, "", "Waiting to start", True),
        ("running", 40, "", "40 %", True),
        ("failed", 10, "ValueError: the period has no data", "the period has no data", False),
    ],
)
def test_report_page_shows_the_progress_state(
    world, project, client, status, progress, error, expected, polls
):
    run = ReportRunFactory(
        project=project,
        requested_by=world.coordinator,
        status=status,
        progress=progress,
        error=error,
    )
    client.force_login(world.coordinator)
    page = client.get(reverse("projects:report_detail", args=[run.pk])).content.decode()
    fragment = client.get(reverse("projects:report_status", args=[run.pk])).content.decode()
    for html in (page, fragment):
        assert expected in html
        assert ('hx-trigger="every 2s"' in html) is polls
        assert "Download the report" not in html
    if status == "failed":
        assert "The report could not be generated." in fragment


def test_done_report_offers_the_download(world, data, client, django_capture_on_commit_callbacks):
    run = _generate(data, world.coordinator, django_capture_on_commit_callbacks, "pdf")
    client.force_login(world.coordinator)
    html = client.get(reverse("projects:report_status", args=[run.pk])).content.decode()
    assert "Download the report (PDF)" in html and "every 2s" not in html
    assert f"{run.rows} rows covered" in html
    response = client.get(reverse("projects:report_download", args=[run.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_failure_is_stored_on_the_run_and_shown(world, project, monkeypatch, client):
    def broken(scope, out, progress):
        progress(20)
        raise ValueError("no data for this period")

    monkeypatch.setattr(reports, "write_pdf", broken)
    run = ReportRunFactory(project=project, requested_by=world.coordinator)
    assert tasks.report_generate(run.pk) == ReportRun.Status.FAILED
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert run.error == "ValueError: no data for this period"
    assert not run.file
    client.force_login(world.coordinator)
    html = client.get(reverse("projects:report_detail", args=[run.pk])).content.decode()
    assert "no data for this period" in html


def test_a_transient_failure_is_retried_then_given_up(world, project, monkeypatch):
    def flaky(scope, out, progress):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(reports, "write_xlsx", flaky)
    run = ReportRunFactory(project=project, requested_by=world.coordinator, format="xlsx")
    with pytest.raises(services.TransientReportError):
        services.report_generate(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts) == (ReportRun.Status.PENDING, 1)
    assert "server closed" in run.error
    ReportRun.objects.filter(pk=run.pk).update(attempts=services.REPORT_MAX_ATTEMPTS - 1)
    assert services.report_generate(run_id=run.pk) == ReportRun.Status.FAILED
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED and "Gave up after 3 attempts" in run.error


def test_a_run_is_generated_once(world, project):
    run = ReportRunFactory(project=project, requested_by=world.coordinator, format="xlsx")
    assert services.report_generate(run_id=run.pk) == ReportRun.Status.DONE
    assert services.report_generate(run_id=run.pk) == "skipped"


def test_cleanup_deletes_expired_files_and_fails_lost_runs(world, project, monkeypatch):
    done = ReportRunFactory(project=project, requested_by=world.coordinator, format="xlsx")
    services.report_generate(run_id=done.pk)
    done.refresh_from_db()
    path = done.file.path
    ReportRun.objects.filter(pk=done.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    kept = ReportRunFactory(project=project, requested_by=world.coordinator, format="xlsx")
    services.report_generate(run_id=kept.pk)
    lost = ReportRunFactory(
        project=project, status="running", started_at=timezone.now() - timedelta(hours=2)
    )
    stuck = ReportRunFactory(project=project, format="xlsx")
    ReportRun.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=1))

    result = tasks.reports_cleanup()
    assert result == {"expired": 1, "lost": 1, "requeued": 1}
    done.refresh_from_db()
    assert done.status == ReportRun.Status.EXPIRED and not done.file
    import os

    assert not os.path.exists(path)
    kept.refresh_from_db()
    assert kept.status == ReportRun.Status.DONE and kept.file.storage.exists(kept.file.name)
    lost.refresh_from_db()
    assert lost.status == ReportRun.Status.FAILED and "interrupted" in lost.error
    stuck.refresh_from_db()
    assert stuck.status == ReportRun.Status.DONE  # re-queued and generated (eager)
    assert tasks.reports_cleanup() == {"expired": 0, "lost": 0, "requeued": 0}


def test_monthly_schedule_sends_each_manager_a_link_once(
    world, project, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://portal.example"
    for _ in range(2):  # a second sweep the same month changes nothing
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            count = tasks.monthly_reports_sweep()
        while callbacks:  # work queued by the callbacks themselves
            pending, callbacks[:] = list(callbacks), []
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                for callback in pending:
                    callback()
        assert count == 3  # the coordinator (partnership), manager A and manager B
    runs = ReportRun.objects.filter(scheduled=True)
    assert runs.count() == 3
    assert set(runs.values_list("status", flat=True)) == {ReportRun.Status.DONE}
    month_start, month_end = services.previous_month(timezone.localdate())
    assert set(runs.values_list("period_start", "period_end")) == {(month_start, month_end)}
    assert {(r.requested_by, r.cluster) for r in runs} == {
        (world.coordinator, None),
        (world.manager_a, world.cluster_a),
        (world.manager_b, world.cluster_b),
    }
    emails = Email.objects.filter(kind="projects.report_ready")
    assert emails.count() == 3
    assert {e.occasion_key.split(":")[1] for e in emails} == {f"{month_start:%Y-%m}"}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [world.coordinator.email, world.manager_a.email, world.manager_b.email]
    )
    message = next(m for m in mailoutbox if m.to == [world.manager_a.email])
    run_a = runs.get(cluster=world.cluster_a)
    assert f"https://portal.example/projects/reports/{run_a.pk}/" in message.body
    assert "AEI" in message.subject
    assert "List-Unsubscribe" in message.extra_headers
