"""An export larger than EXPORT_INLINE_MAX_ROWS becomes a background job with a page,
progress and a download for the person who asked; smaller ones stream as before."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members.models import ExportRun
from tests import factories as f

pytestmark = pytest.mark.django_db


def _grow(world, n):
    for _ in range(n):
        f.MembershipFactory(organisation=f.OrganisationFactory(), cluster=world.cluster_a)


def test_small_export_streams_in_the_request(world, client, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 10
    client.force_login(world.manager_a)
    response = client.get(reverse("members:export_csv"))
    assert response.status_code == 200
    assert ExportRun.objects.count() == 0


def test_large_export_runs_in_the_background(
    world, client, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_MAX_ROWS = 3
    _grow(world, 5)
    client.force_login(world.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("members:export_csv"), {"country": "ES"})
    run = ExportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("members:export_detail", args=[run.pk])
    run.refresh_from_db()
    assert run.status == ExportRun.Status.DONE and run.rows == 6 and run.progress == 100
    page = client.get(reverse("members:export_detail", args=[run.pk])).content.decode()
    assert reverse("members:export_download", args=[run.pk]) in page
    status = client.get(reverse("members:export_status", args=[run.pk])).content.decode()
    assert 'data-status="done"' in status
    download = client.get(reverse("members:export_download", args=[run.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 7  # header + the manager's 6 members in Spain
    assert "Composites Bêta SAS" not in {r[0] for r in rows}  # another cluster's member


def test_large_xlsx_export_in_the_background(
    world, client, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    _grow(world, 2)
    client.force_login(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("members:export_xlsx"))
    run = ExportRun.objects.get()
    download = client.get(reverse("members:export_download", args=[run.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet.max_row == 5  # header + 4 members of the partnership


def test_export_run_is_only_for_who_asked(
    world, client, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_MAX_ROWS = 0
    client.force_login(world.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("members:export_csv"))
    run = ExportRun.objects.get()
    client.force_login(world.manager_b)
    for name in ("members:export_detail", "members:export_status", "members:export_download"):
        assert client.get(reverse(name, args=[run.pk])).status_code == 404


def test_export_run_is_generated_once(world, settings, django_capture_on_commit_callbacks):
    from members import services

    run = ExportRun.objects.create(requested_by=world.manager_a, format="csv", query="")
    assert services.export_generate(run_id=run.pk) == ExportRun.Status.DONE
    assert services.export_generate(run_id=run.pk) == "skipped"


def test_export_run_with_invalid_filters_fails_visibly(world):
    from members import services

    run = ExportRun.objects.create(
        requested_by=world.manager_a, format="csv", query="country=NOWHERE"
    )
    assert services.export_generate(run_id=run.pk) == ExportRun.Status.FAILED
    run.refresh_from_db()
    assert "not valid" in run.error
