"""Download my data: a ZIP of JSON and files, built by a task, emailed as a link that only
its owner can use, until it expires."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from exchange.models import ApplicationDocument
from notifications.models import Email
from privacy import services
from privacy.models import DataExport
from tests import factories as f
from tests.exchange.factories import ApplicationFactory, CallFactory
from tests.workshops.factories import RegistrationFactory


@pytest.fixture
def applicant(world):
    user = world.rep_a
    user.full_name = "Rita Representant"
    user.save()
    application = ApplicationFactory(
        call=CallFactory(partnership=world.partnership),
        applicant=user,
        organisation=world.org_a,
        managing_cluster=world.cluster_a,
        motivation="Learn finishing",
    )
    ApplicationDocument.objects.create(
        application=application,
        kind=ApplicationDocument.Kind.CV,
        file=ContentFile(b"%PDF-1.4 my cv", name="x.pdf"),
        original_name="my cv.pdf",
        content_type="application/pdf",
        size=14,
    )
    f.ContactFactory(organisation=world.org_a, full_name="Rita R.", email=user.email)
    RegistrationFactory(full_name="Rita R.", email=user.email, user=user)
    return user


def _build(user, capture):
    with capture(execute=True):
        export = services.data_export_request(user=user)
    export.refresh_from_db()
    return export


def test_export_zip_holds_every_section_and_the_files(
    applicant, django_capture_on_commit_callbacks, mailoutbox
):
    export = _build(applicant, django_capture_on_commit_callbacks)
    assert export.status == DataExport.Status.READY
    assert export.expires_at > timezone.now() + timedelta(days=6)
    with export.file.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as zf:
        names = set(zf.namelist())
        data = {n: json.loads(zf.read(n)) for n in names if n.endswith(".json")}
        cv = [n for n in names if n.startswith("files/applications/")]
        assert zf.read(cv[0]) == b"%PDF-1.4 my cv"
    assert {
        "account.json",
        "organisations.json",
        "contacts.json",
        "registrations.json",
        "applications.json",
        "exchanges.json",
        "consents.json",
        "emails.json",
        "README.txt",
    } <= names
    assert data["account.json"]["full_name"] == "Rita Representant"
    assert data["organisations.json"][0]["legal_name"] == "Teixits Alfa S.L."
    assert data["contacts.json"][0]["email"] == applicant.email
    assert data["registrations.json"][0]["full_name"] == "Rita R."
    assert data["applications.json"][0]["motivation"] == "Learn finishing"
    assert data["applications.json"][0]["documents"][0]["file_name"] == "my cv.pdf"
    # the link is emailed through the outbox, in the person's language
    row = Email.objects.get(kind="privacy.data_export", recipient=applicant.email)
    assert row.status == Email.Status.SENT
    assert export.token in mailoutbox[-1].body


def test_build_twice_builds_once(applicant, django_capture_on_commit_callbacks):
    export = _build(applicant, django_capture_on_commit_callbacks)
    name = export.file.name
    services.data_export_build(export_id=export.pk)
    export.refresh_from_db()
    assert export.file.name == name
    assert Email.objects.filter(kind="privacy.data_export").count() == 1


def test_second_request_while_preparing_is_refused(applicant):
    services.data_export_request(user=applicant)  # not built: on-commit not executed
    with pytest.raises(ValidationError):
        services.data_export_request(user=applicant)


def test_owner_downloads_through_the_link(applicant, client, django_capture_on_commit_callbacks):
    export = _build(applicant, django_capture_on_commit_callbacks)
    client.force_login(applicant)
    response = client.get(reverse("privacy:export_download", args=[export.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


def test_someone_else_gets_404_with_the_link(
    applicant, world, client, django_capture_on_commit_callbacks
):
    export = _build(applicant, django_capture_on_commit_callbacks)
    for other in (world.manager_a, world.admin, world.outsider):
        client.force_login(other)
        response = client.get(reverse("privacy:export_download", args=[export.token]))
        assert response.status_code == 404


def test_anonymous_is_sent_to_login(applicant, client, django_capture_on_commit_callbacks):
    export = _build(applicant, django_capture_on_commit_callbacks)
    response = client.get(reverse("privacy:export_download", args=[export.token]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_expired_link_does_not_download(applicant, client, django_capture_on_commit_callbacks):
    export = _build(applicant, django_capture_on_commit_callbacks)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    client.force_login(applicant)
    response = client.get(reverse("privacy:export_download", args=[export.token]))
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:my_data")


def test_my_data_page_requests_an_export(
    applicant, client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:export_request"), follow=True)
    assert "We are preparing your data" in response.content.decode()
    with django_assert_max_num_queries(8):
        response = client.get(reverse("privacy:my_data"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Download my data" in page and "Delete my account" in page
    assert reverse("privacy:export_download", args=[DataExport.objects.get().token]) in page


def test_my_data_page_query_budget_holds_with_many_exports(
    applicant, client, django_assert_max_num_queries
):
    for _ in range(12):
        DataExport.objects.create(user=applicant, status=DataExport.Status.EXPIRED)
    client.force_login(applicant)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("privacy:my_data"))
    assert response.content.decode().count("Expired") == 10
