"""Files on the local disk (the default storage): rows and their files go together, the
member import goes through the storage (the confirmation may reach another web server),
and the cluster logo is served by a permission-checked view."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse

from clamtex.core.storage import connect_file_cleanup
from exchange.models import ApplicationDocument, Evidence
from members.models import Cluster
from projects.models import DeliverableVersion, ReportRun
from tests.exchange.factories import ApplicationFactory, CallFactory

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _programme_data(db):
    from exchange.models import EligibleCountry
    from exchange.programme_data import seed_eligible_countries

    seed_eligible_countries(EligibleCountry)


def _document(world) -> ApplicationDocument:
    application = ApplicationFactory(
        call=CallFactory(partnership=world.partnership),
        organisation=world.org_a,
        managing_cluster=world.cluster_a,
    )
    document = ApplicationDocument(
        application=application, kind="cv", original_name="cv.pdf", content_type="x", size=3
    )
    document.file.save("upload", ContentFile(b"pdf"), save=False)
    document.save()
    return document


def test_every_model_with_a_file_is_connected():
    labels = {model._meta.label for model in connect_file_cleanup()}
    for model in (ApplicationDocument, Evidence, DeliverableVersion, ReportRun, Cluster):
        assert model._meta.label in labels


def test_a_deleted_row_deletes_its_file_after_commit(world, django_capture_on_commit_callbacks):
    document = _document(world)
    name = document.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document.application.delete()  # a cascade, as from the admin
    assert default_storage.exists(name)  # not before the commit
    for callback in callbacks:
        callback()
    assert not default_storage.exists(name)


def test_a_rolled_back_deletion_keeps_the_file(world):
    document = _document(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        document.delete()
        raise RuntimeError
    assert default_storage.exists(document.file.name)


def test_the_member_import_goes_through_the_storage(world, client, settings):
    from tests.members.test_imports import _csv

    client.force_login(world.manager_a)
    upload = _csv([["Filats Nous S.L.", "ES", "", "", "", "", ""]])
    response = client.post(
        reverse("members:import"), {"cluster": world.cluster_a.pk, "file": upload}
    )
    assert "1 row is ready to import." in response.content.decode()
    key = client.session["member_import"]["key"]
    assert default_storage.listdir("private/imports")[1] == [key]
    # Another web server would read it back from the same storage: the confirmation
    # reads the object, not a path of this machine.
    assert client.post(reverse("members:import_confirm")).status_code == 302
    assert world.cluster_a.memberships.filter(organisation__legal_name="Filats Nous S.L.").exists()
    assert default_storage.listdir("private/imports")[1] == []


def test_the_logo_is_served_to_whoever_sees_the_cluster(world, client):
    world.cluster_a.logo.save("logo.png", ContentFile(PNG))
    url = reverse("members:cluster_logo", args=[world.cluster_a.pk])
    client.force_login(world.manager_b)  # cluster profiles are visible partnership-wide
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == PNG
    page = client.get(reverse("members:cluster_detail", args=[world.cluster_a.pk]))
    assert f'src="{url}"' in page.content.decode()
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    assert client.get(reverse("members:cluster_logo", args=[world.cluster_b.pk])).status_code in (
        302,
        404,
    )


def test_a_replaced_logo_leaves_the_storage(world, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from members import services

    world.cluster_a.logo.save("logo.png", ContentFile(PNG))
    old = world.cluster_a.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        cluster = services.cluster_update(
            cluster=world.cluster_a,
            data={"logo": SimpleUploadedFile("new.png", PNG, content_type="image/png")},
            by=world.manager_a,
        )
    assert cluster.logo.name != old and default_storage.exists(cluster.logo.name)
    assert not default_storage.exists(old)
    with django_capture_on_commit_callbacks(execute=True):
        same = services.cluster_update(
            cluster=cluster, data={"description": "Unchanged logo"}, by=world.manager_a
        )
    assert default_storage.exists(same.logo.name)
