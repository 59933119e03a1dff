"""Pages of the members area: status, what they show, and query budgets at two sizes."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members.models import Contact, Membership, Organisation
from tests import factories as f

pytestmark = pytest.mark.django_db


def _add_members(cluster, n, **kwargs):
    sector = f.SectorFactory(code="C13.96", name="Technical textiles")
    for _ in range(n):
        org = f.OrganisationFactory(**kwargs)
        org.sectors.add(sector)
        f.MembershipFactory(organisation=org, cluster=cluster)
        f.ContactFactory(organisation=org)


@pytest.mark.parametrize("extra", [2, 30])
def test_directory_query_budget(world, client, django_assert_max_num_queries, extra):
    _add_members(world.cluster_a, extra)
    client.force_login(world.manager_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("members:directory"))
    assert response.status_code == 200


def test_directory_shows_only_own_cluster(world, client):
    client.force_login(world.manager_a)
    response = client.get(reverse("members:directory"))
    content = response.content.decode()
    assert "Teixits Alfa S.L." in content
    assert "Composites Bêta SAS" not in content


def test_coordinator_directory_shows_whole_partnership(world, client):
    client.force_login(world.coordinator)
    content = client.get(reverse("members:directory")).content.decode()
    assert "Teixits Alfa S.L." in content
    assert "Composites Bêta SAS" in content


def test_directory_search_and_filters(world, client):
    f.MembershipFactory(
        organisation=f.OrganisationFactory(
            legal_name="Filats Gamma S.A.", city="Sabadell", employees=300
        ),
        cluster=world.cluster_a,
    )
    client.force_login(world.manager_a)
    url = reverse("members:directory")
    content = client.get(url, {"q": "Sabadell"}).content.decode()
    assert "Filats Gamma" in content and "Teixits Alfa" not in content
    content = client.get(url, {"sme": "no"}).content.decode()
    assert "Filats Gamma" in content and "Teixits Alfa" not in content
    content = client.get(url, {"sme": "yes"}).content.decode()
    assert "Teixits Alfa" in content and "Filats Gamma" not in content
    content = client.get(url, {"country": "FR"}).content.decode()
    assert "No organisation matches these filters." in content


def test_directory_filter_by_cluster_of_other_manager_shows_nothing(world, client):
    client.force_login(world.manager_a)
    content = client.get(
        reverse("members:directory"), {"cluster": world.cluster_b.pk}
    ).content.decode()
    assert "Composites Bêta" not in content


def test_directory_htmx_returns_partial(world, client):
    client.force_login(world.manager_a)
    response = client.get(reverse("members:directory"), {"q": "Alfa"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<html" not in content
    assert "Teixits Alfa" in content


def test_directory_paginates(world, client):
    _add_members(world.cluster_a, 30)
    client.force_login(world.manager_a)
    response = client.get(reverse("members:directory"))
    assert "Page 1 of 2" in response.content.decode()
    response = client.get(reverse("members:directory"), {"page": 2})
    assert "Page 2 of 2" in response.content.decode()


def test_directory_sorting(world, client):
    f.MembershipFactory(
        organisation=f.OrganisationFactory(legal_name="Aaa First", employees=1),
        cluster=world.cluster_a,
    )
    client.force_login(world.manager_a)
    content = client.get(reverse("members:directory"), {"sort": "-name"}).content.decode()
    assert content.index("Teixits Alfa") < content.index("Aaa First")


@pytest.mark.parametrize("extra", [1, 15])
def test_organisation_page_query_budget(world, client, django_assert_max_num_queries, extra):
    for _ in range(extra):
        f.ContactFactory(organisation=world.org_a)
    client.force_login(world.manager_a)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("members:organisation_detail", args=[world.org_a.pk]))
    content = response.content.decode()
    assert "Anna Contacte" in content
    assert "Qualifies as an SME" in content


def test_export_csv_scoped_and_readable(world, client):
    client.force_login(world.manager_a)
    response = client.get(reverse("members:export_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["legal_name"] for r in rows] == ["Teixits Alfa S.L."]
    assert rows[0]["contact_email"] == world.contact_a.email


def test_export_csv_respects_filters(world, client):
    f.MembershipFactory(
        organisation=f.OrganisationFactory(legal_name="Other Org"), cluster=world.cluster_a
    )
    client.force_login(world.manager_a)
    response = client.get(reverse("members:export_csv"), {"q": "Other"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Other Org" in body and "Teixits Alfa" not in body


def test_export_neutralises_formulas(world, client):
    world.org_a.legal_name = '=HYPERLINK("http://evil")'
    world.org_a.save()
    client.force_login(world.manager_a)
    body = b"".join(client.get(reverse("members:export_csv")).streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in body


def test_export_xlsx(world, client):
    client.force_login(world.coordinator)
    response = client.get(reverse("members:export_xlsx"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "legal_name"
    assert {r[0] for r in rows[1:]} == {"Teixits Alfa S.L.", "Composites Bêta SAS"}


def test_create_organisation(world, client):
    client.force_login(world.manager_a)
    response = client.post(
        reverse("members:organisation_create"),
        {
            "cluster": world.cluster_a.pk,
            "membership_start": "2024-01-15",
            "legal_name": "Nova Tèxtil S.L.",
            "org_type": "sme",
            "country": "ES",
            "employees": "12",
        },
    )
    org = Organisation.objects.get(legal_name="Nova Tèxtil S.L.")
    assert response.status_code == 302
    assert org.memberships.get().cluster == world.cluster_a


def test_create_organisation_errors_keep_input(world, client):
    client.force_login(world.manager_a)
    response = client.post(
        reverse("members:organisation_create"),
        {
            "cluster": world.cluster_a.pk,
            "legal_name": "Keep Me S.L.",
            "country": "",
            "employees": "-3",
        },
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Keep Me S.L." in content
    assert "This field is required." in content
    assert 'aria-invalid="true"' in content
    assert not Organisation.objects.filter(legal_name="Keep Me S.L.").exists()


def test_manager_cannot_create_in_other_cluster(world, client):
    client.force_login(world.manager_a)
    response = client.post(
        reverse("members:organisation_create"),
        {
            "cluster": world.cluster_b.pk,
            "membership_start": "2024-01-15",
            "legal_name": "Sneaky",
            "org_type": "sme",
            "country": "FR",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Organisation.objects.filter(legal_name="Sneaky").exists()


def test_representative_edits_own_profile(world, client):
    client.force_login(world.rep_a)
    data = {
        "legal_name": "Teixits Alfa S.L.",
        "org_type": "sme",
        "country": "ES",
        "city": "Sabadell",
        "employees": "45",
        "turnover_eur": "6000000",
    }
    response = client.post(reverse("members:organisation_edit", args=[world.org_a.pk]), data)
    assert response.status_code == 302
    world.org_a.refresh_from_db()
    assert world.org_a.city == "Sabadell"


def test_contact_crud_and_duplicate_email(world, client):
    client.force_login(world.rep_a)
    url = reverse("members:contact_create", args=[world.org_a.pk])
    data = {
        "full_name": "Pere Nou",
        "email": "pere@alfa.example",
        "language": "ca",
        "consent_given": "on",
    }
    assert client.post(url, data).status_code == 302
    contact = Contact.objects.get(email="pere@alfa.example")
    assert contact.consent_at is not None
    response = client.post(url, data)
    assert "already has a contact with this email" in response.content.decode()
    delete_url = reverse("members:contact_delete", args=[contact.pk])
    assert "cannot be undone" in client.get(delete_url).content.decode()
    assert client.post(delete_url).status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_membership_edit_end(world, client):
    membership = world.org_a.memberships.get()
    client.force_login(world.manager_a)
    response = client.post(
        reverse("members:membership_edit", args=[membership.pk]),
        {"status": "ended", "start_date": "2020-01-01", "end_date": ""},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ENDED
    assert membership.end_date is not None


def test_membership_end_before_start_is_refused(world, client):
    membership = world.org_a.memberships.get()
    client.force_login(world.manager_a)
    response = client.post(
        reverse("members:membership_edit", args=[membership.pk]),
        {"status": "active", "start_date": "2020-01-01", "end_date": "2019-01-01"},
    )
    assert "cannot be before the start date" in response.content.decode()


@pytest.mark.parametrize("role", ["admin", "coordinator", "manager_a", "rep_a", "outsider"])
def test_home_per_role(world, client, role, django_assert_max_num_queries):
    client.force_login(getattr(world, role))
    with django_assert_max_num_queries(16):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    with django_assert_max_num_queries(20):
        figures = client.get(reverse("home_figures"))
    content = response.content.decode() + figures.content.decode()
    if role in ("admin", "coordinator"):
        assert "Members of the partnership" in content
    if role == "manager_a":
        assert "Members of your cluster" in content
        assert "The whole partnership" in content
    if role == "rep_a":
        assert "Teixits Alfa S.L." in content
    if role == "outsider":
        assert "No role has been given" in content


def test_home_figures_are_counted(world, client):
    _add_members(world.cluster_a, 3)
    client.force_login(world.manager_a)
    response = client.get(reverse("home_figures"))
    figures = response.context["figures"]
    assert figures["total"] == 4
    assert figures["per_cluster"][0]["n"] == 4


def test_cluster_pages(world, client, django_assert_max_num_queries):
    client.force_login(world.manager_b)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("members:cluster_list"))
    assert "AEI" in response.content.decode() and "EMC2" in response.content.decode()
    response = client.get(reverse("members:cluster_detail", args=[world.cluster_a.pk]))
    assert response.status_code == 200


def test_cluster_edit_requires_label_date(world, client):
    client.force_login(world.manager_a)
    response = client.post(
        reverse("members:cluster_edit", args=[world.cluster_a.pk]),
        {
            "name": "AEI",
            "acronym": "AEI",
            "country": "ES",
            "label": "gold",
            "members_sme": 1,
            "members_large": 0,
            "members_research": 0,
            "members_public": 0,
            "members_other": 0,
        },
    )
    assert "needs a valid-until date" in response.content.decode()


def test_profile_language_is_remembered(world, client):
    client.force_login(world.manager_a)
    response = client.post(
        reverse("profile"), {"form": "profile", "full_name": "Anna", "language": "fr", "phone": ""}
    )
    assert response.status_code == 302
    world.manager_a.refresh_from_db()
    assert world.manager_a.language == "fr"
    response = client.get(reverse("home"))
    assert response.context["LANGUAGE_CODE"] == "fr"


def test_language_switcher_saves_on_account(world, client):
    client.force_login(world.manager_a)
    response = client.post(reverse("set_language"), {"language": "pt", "next": "/members/"})
    assert response.status_code == 302 and response["Location"] == "/members/"
    world.manager_a.refresh_from_db()
    assert world.manager_a.language == "pt"


def test_language_switcher_rejects_foreign_next(client, db):
    response = client.post(
        reverse("set_language"), {"language": "es", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_export_neutralises_formulas_after_blanks_and_in_headers():
    from clamtex.core.exports import safe_cell

    assert safe_cell("  =1+1") == "'  =1+1"
    assert safe_cell("\n=cmd") == "'\n=cmd"
    assert safe_cell("-") == "'-"
    assert safe_cell("Plain text") == "Plain text"
    assert safe_cell(12) == 12


def test_safe_cell_is_the_rule_it_states():
    """The fast version (one test per ordinary cell) quotes exactly the cells the plain
    rule quotes: a control character first, or = + - @ after any blanks."""
    import itertools

    from clamtex.core.exports import safe_cell

    def rule(value):
        if isinstance(value, str) and (
            value[:1] in ("\t", "\r", "\n") or value.lstrip()[:1] in ("=", "+", "-", "@")
        ):
            return "'" + value
        return "" if value is None else value

    alphabet = ["", " ", "\t", "\r", "\n", "\u00a0", "=", "+", "-", "@", "a", "1", "'"]
    for parts in itertools.product(alphabet, repeat=3):
        value = "".join(parts)
        assert safe_cell(value) == rule(value), repr(value)
    for value in (None, 0, 12, 1.5, True):
        assert safe_cell(value) == rule(value)
