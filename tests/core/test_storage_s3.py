"""Files in an S3-compatible bucket (moto's server on loopback, see conftest.py): uploads
land in the bucket, never on the disk; downloads are permission-checked, then redirected
to a presigned URL that expires within a minute (or streamed); deletions and retention
remove the objects."""

import urllib.request
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from exchange.applications import services as exchange_services
from exchange.models import Application, ApplicationDocument
from projects import services as project_services
from projects.models import ReportRun
from tests import factories as f
from tests.exchange.factories import ApplicationFactory, CallFactory
from tests.projects.factories import ProjectFactory, ReportRunFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _programme_data(db):
    from exchange.models import EligibleCountry
    from exchange.programme_data import seed_eligible_countries

    seed_eligible_countries(EligibleCountry)


def _document(world, status=Application.Status.SUBMITTED, name="Memòria tècnica.pdf"):
    application = ApplicationFactory(
        call=CallFactory(partnership=world.partnership),
        organisation=world.org_a,
        managing_cluster=world.cluster_a,
        status=status,
        submitted_at=timezone.now(),
    )
    document = ApplicationDocument(
        application=application,
        kind="supporting",
        original_name=name,
        content_type="application/pdf",
        size=len(PDF),
    )
    document.file.save("upload", ContentFile(PDF), save=False)
    document.save()
    return document


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
        return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()


def test_the_settings_block_makes_a_private_bucket_storage(s3):
    options = default_storage.__class__.__module__, default_storage.bucket_name
    assert options == ("storages.backends.s3", s3)
    assert default_storage.default_acl is None
    assert default_storage.querystring_auth is True
    assert default_storage.file_overwrite is False
    assert default_storage.querystring_expire <= 60


def test_an_upload_lands_in_the_bucket_and_is_not_public(
    world, s3, s3_client, bucket_keys, settings
):
    document = _document(world)
    assert bucket_keys() == [document.file.name]
    assert not (settings.MEDIA_ROOT / "private").exists()  # nothing on this machine's disk
    grants = s3_client.get_object_acl(Bucket=s3, Key=document.file.name)["Grants"]
    grantees = {g["Grantee"].get("URI", g["Grantee"].get("ID")) for g in grants}
    assert not any("AllUsers" in str(g) or "AuthenticatedUsers" in str(g) for g in grantees)
    body = s3_client.get_object(Bucket=s3, Key=document.file.name)["Body"].read()
    assert body == PDF


def test_download_redirects_to_a_presigned_url_that_expires_within_a_minute(
    world, s3, s3_server, client
):
    document = _document(world)
    client.force_login(world.manager_a)
    response = client.get(reverse("exchange:document_download", args=[document.pk]))
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    location = response["Location"]
    assert location.startswith(f"{s3_server}/{s3}/{document.file.name}?")
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert "X-Amz-Signature" in query
    assert query["response-content-disposition"] == [
        "attachment; filename*=utf-8''Mem%C3%B2ria%20t%C3%A8cnica.pdf"
    ]
    status, headers, body = _get(location)
    assert (status, body) == (200, PDF)
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"].startswith("attachment;")


def test_the_expiry_follows_the_setting_and_never_exceeds_a_minute(world, s3, client, settings):
    from tests.core.conftest import s3_settings

    assert s3_settings(s3, "http://127.0.0.1:1", FILES_URL_EXPIRE="3600")["FILES_URL_EXPIRE"] == 60
    settings.FILES_URL_EXPIRE = 15
    document = _document(world)
    client.force_login(world.manager_a)
    response = client.get(reverse("exchange:document_download", args=[document.pk]))
    assert parse_qs(urlsplit(response["Location"]).query)["X-Amz-Expires"] == ["15"]


def test_another_clusters_manager_gets_no_url(world, s3, client):
    document = _document(world)
    for user in (world.manager_b, world.outsider):
        client.force_login(user)
        response = client.get(reverse("exchange:document_download", args=[document.pk]))
        assert response.status_code == 404
        assert "Location" not in response
        assert s3 not in response.content.decode()


def test_stream_mode_serves_the_object_through_the_portal(world, s3, client, settings):
    settings.FILES_DOWNLOAD = "stream"
    document = _document(world)
    client.force_login(world.manager_a)
    response = client.get(reverse("exchange:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]


def test_a_missing_object_is_a_404(world, s3, s3_client, client, settings):
    document = _document(world)
    s3_client.delete_object(Bucket=s3, Key=document.file.name)
    client.force_login(world.manager_a)
    url = reverse("exchange:document_download", args=[document.pk])
    assert client.get(url).status_code == 404
    settings.FILES_DOWNLOAD = "stream"
    assert client.get(url).status_code == 404


def test_deleting_a_document_deletes_the_object(
    world, s3, bucket_keys, django_capture_on_commit_callbacks
):
    document = _document(world, status=Application.Status.DRAFT)
    kept = _document(world)
    with django_capture_on_commit_callbacks(execute=True):
        exchange_services.document_delete(document=document, by=document.application.applicant)
    assert bucket_keys() == [kept.file.name]


def test_a_cascade_deletes_the_objects_too(
    world, s3, bucket_keys, django_capture_on_commit_callbacks
):
    document = _document(world)
    with django_capture_on_commit_callbacks(execute=True):
        document.application.delete()
    assert bucket_keys() == []


def test_a_rolled_back_deletion_keeps_the_object(world, s3, bucket_keys):
    from django.db import transaction

    document = _document(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        ApplicationDocument.objects.filter(pk=document.pk).delete()
        raise RuntimeError
    assert bucket_keys() == [document.file.name]


def test_reports_are_generated_into_the_bucket_and_expire_from_it(
    world, s3, bucket_keys, client, s3_server
):
    project = ProjectFactory(partnership=world.partnership)
    f.CoordinatorFactory  # noqa: B018 (the world's coordinator sees every report)
    run = ReportRunFactory(
        project=project,
        requested_by=world.manager_a,
        scope=ReportRun.Scope.CLUSTER,
        cluster=world.cluster_a,
        format="xlsx",
    )
    assert project_services.report_generate(run_id=run.pk) == ReportRun.Status.DONE
    run.refresh_from_db()
    assert bucket_keys() == [run.file.name]
    client.force_login(world.manager_a)
    response = client.get(reverse("projects:report_download", args=[run.pk]))
    assert response.status_code == 302 and response["Location"].startswith(s3_server)
    status, _headers, body = _get(response["Location"])
    assert status == 200 and body.startswith(b"PK")  # an XLSX is a zip
    client.force_login(world.manager_b)
    refused = client.get(reverse("projects:report_download", args=[run.pk]))
    assert refused.status_code in (403, 404) and "Location" not in refused

    ReportRun.objects.filter(pk=run.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert project_services.reports_cleanup()["expired"] == 1
    assert bucket_keys() == []
    run.refresh_from_db()
    assert run.status == ReportRun.Status.EXPIRED and not run.file


def test_stale_imports_are_deleted_from_the_bucket(s3, bucket_keys, settings):
    """The privacy retention rule finds unconfirmed imports by their time in the bucket."""
    from privacy import retention

    settings.PRIVACY_RETENTION_IMPORTS_DAYS = 2
    name = default_storage.save("private/imports/pending.csv", ContentFile(b"a"))
    assert retention.due_imports(now=timezone.now() + timedelta(days=1, hours=23)) == []
    assert bucket_keys() == [name]
    due = retention.due_imports(now=timezone.now() + timedelta(days=3))
    assert due == [name]
    assert retention.import_file_expire(path=name) is True
    assert bucket_keys() == []
