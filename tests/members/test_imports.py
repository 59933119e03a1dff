"""Import of members: preview, row-by-row errors, all-or-nothing, and the export round trip."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from members.exports import COLUMNS
from members.models import Contact, Membership, Organisation
from tests import factories as f

pytestmark = pytest.mark.django_db


def _csv(rows, header=None):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        header
        or [
            "legal_name",
            "country",
            "vat_number",
            "employees",
            "sectors",
            "contact_name",
            "contact_email",
        ]
    )
    writer.writerows(rows)
    upload = io.BytesIO(out.getvalue().encode("utf-8"))
    upload.name = "members.csv"
    return upload


def _upload(client, cluster, upload):
    return client.post(reverse("members:import"), {"cluster": cluster.pk, "file": upload})


def test_valid_file_previews_then_imports(world, client):
    f.SectorFactory(code="C13.96", name="Technical textiles")
    client.force_login(world.manager_a)
    upload = _csv(
        [
            [
                "Filats Nous S.L.",
                "ES",
                "B11111111",
                "25",
                "C13.96",
                "Pau Vidal",
                "pau@filats.example",
            ],
            ["Acabats Sud S.A.", "es", "", "", "", "", ""],
        ]
    )
    response = _upload(client, world.cluster_a, upload)
    content = response.content.decode()
    assert "2 rows are ready to import." in content
    assert not Organisation.objects.filter(legal_name="Filats Nous S.L.").exists()
    response = client.post(reverse("members:import_confirm"))
    assert response.status_code == 302
    org = Organisation.objects.get(legal_name="Filats Nous S.L.")
    assert org.memberships.get().cluster == world.cluster_a
    assert list(org.sectors.values_list("code", flat=True)) == ["C13.96"]
    assert Contact.objects.get(organisation=org).email == "pau@filats.example"
    assert Organisation.objects.get(legal_name="Acabats Sud S.A.").country.code == "ES"


def test_one_bad_row_imports_nothing_and_reports_each_row(world, client):
    client.force_login(world.manager_a)
    upload = _csv(
        [
            ["Good One S.L.", "ES", "B22222222", "10", "", "", ""],
            ["", "XX", "B33333333", "many", "C99", "", "not-an-email"],
            ["Dup VAT S.L.", "ES", "B22222222", "", "", "", ""],
        ]
    )
    content = _upload(client, world.cluster_a, upload).content.decode()
    assert "2 rows have errors. Nothing was imported" in content
    assert "This field is required." in content  # legal name of line 3
    assert "Select a valid choice" in content  # country XX
    assert "Enter a whole number." in content
    assert "Unknown sector code(s): C99" in content
    assert "already on line 2" in content
    assert "Import now" not in content
    assert not Organisation.objects.filter(legal_name="Good One S.L.").exists()
    assert client.post(reverse("members:import_confirm")).status_code == 302
    assert not Organisation.objects.filter(legal_name="Good One S.L.").exists()


def test_vat_of_another_clusters_member_is_refused(world, client):
    client.force_login(world.manager_a)
    upload = _csv([["Taken Over SAS", "FR", world.org_b.vat_number, "", "", "", ""]])
    content = _upload(client, world.cluster_a, upload).content.decode()
    assert "already registered by another cluster" in content
    world.org_b.refresh_from_db()
    assert world.org_b.legal_name == "Composites Bêta SAS"


def test_unreadable_files_get_a_clear_error(world, client):
    client.force_login(world.manager_a)
    upload = io.BytesIO(b"\x00\x01garbage")
    upload.name = "members.xlsx"
    content = _upload(client, world.cluster_a, upload).content.decode()
    assert "not a readable XLSX file" in content
    upload = io.BytesIO(b"name;city\nA;B\n")
    upload.name = "members.csv"
    content = _upload(client, world.cluster_a, upload).content.decode()
    assert "header with at least the columns" in content
    upload = io.BytesIO(b"x")
    upload.name = "members.pdf"
    content = _upload(client, world.cluster_a, upload).content.decode()
    assert "Upload a .csv or .xlsx file." in content


def test_import_into_other_cluster_is_refused(world, client):
    client.force_login(world.manager_a)
    upload = _csv([["Sneaky S.L.", "ES", "", "", "", "", ""]])
    response = _upload(client, world.cluster_b, upload)
    assert "Select a valid choice" in response.content.decode()
    assert not Organisation.objects.filter(legal_name="Sneaky S.L.").exists()


def test_xlsx_import(world, client):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["legal_name", "country", "employees", "membership_start"])
    sheet.append(["Excel Tèxtil S.L.", "ES", 12, "2021-03-04"])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    data.name = "members.xlsx"
    client.force_login(world.manager_a)
    assert "1 row is ready to import." in _upload(client, world.cluster_a, data).content.decode()
    client.post(reverse("members:import_confirm"))
    org = Organisation.objects.get(legal_name="Excel Tèxtil S.L.")
    assert org.employees == 12
    assert str(org.memberships.get().start_date) == "2021-03-04"


def test_export_then_import_round_trip(world, client):
    """What the directory exports can be imported into another partnership's cluster and
    gives the same organisations."""
    sector = f.SectorFactory(code="C13.95", name="Non-wovens")
    for i in range(5):
        org = f.OrganisationFactory(
            legal_name=f"Round Trip {i} S.L.",
            vat_number=f"B5555000{i}",
            latitude="41.5",
            longitude="2.01",
            website="https://rt.example",
        )
        org.sectors.add(sector)
        f.MembershipFactory(organisation=org, cluster=world.cluster_a)
        f.ContactFactory(
            organisation=org, email=f"rt{i}@example.org", full_name=f"Person {i}", language="ca"
        )
    client.force_login(world.manager_a)
    exported = b"".join(client.get(reverse("members:export_csv")).streaming_content)
    before = {
        o.legal_name: (o.vat_number, o.employees, o.turnover_eur, o.latitude, o.website)
        for o in Organisation.objects.filter(memberships__cluster=world.cluster_a)
    }
    # Delete and re-import into the same cluster: the same data comes back.
    Organisation.objects.filter(memberships__cluster=world.cluster_a).delete()
    upload = io.BytesIO(exported)
    upload.name = "export.csv"
    content = _upload(client, world.cluster_a, upload).content.decode()
    assert "6 rows are ready to import." in content, content[:3000]
    client.post(reverse("members:import_confirm"))
    after = {
        o.legal_name: (o.vat_number, o.employees, o.turnover_eur, o.latitude, o.website)
        for o in Organisation.objects.filter(memberships__cluster=world.cluster_a)
    }
    assert after == before
    org = Organisation.objects.get(legal_name="Round Trip 3 S.L.")
    assert list(org.sectors.values_list("code", flat=True)) == ["C13.95"]
    assert org.contacts.get().language == "ca"
    assert Membership.objects.filter(cluster=world.cluster_a).count() == 6


def test_reimport_updates_existing_member(world, client):
    client.force_login(world.manager_a)
    upload = _csv([["Teixits Alfa S.L.", "ES", world.org_a.vat_number, "77", "", "", ""]])
    assert (
        "will update the existing member"
        in _upload(client, world.cluster_a, upload).content.decode()
    )
    client.post(reverse("members:import_confirm"))
    world.org_a.refresh_from_db()
    assert world.org_a.employees == 77
    assert Organisation.objects.filter(legal_name="Teixits Alfa S.L.").count() == 1


def test_export_header_is_the_import_format():
    assert {"legal_name", "country"} <= set(COLUMNS)
