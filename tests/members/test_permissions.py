"""Every URL of the members area, for every role: who gets in, who is refused."""

import pytest
from django.urls import reverse

from members import permissions
from tests import factories as f

pytestmark = pytest.mark.django_db


def _urls(w):
    """(name, url) for every object URL of cluster A's data."""
    return {
        "organisation_detail": reverse("members:organisation_detail", args=[w.org_a.pk]),
        "organisation_edit": reverse("members:organisation_edit", args=[w.org_a.pk]),
        "contact_create": reverse("members:contact_create", args=[w.org_a.pk]),
        "contact_edit": reverse("members:contact_edit", args=[w.contact_a.pk]),
        "contact_delete": reverse("members:contact_delete", args=[w.contact_a.pk]),
        "invitation_create": reverse("members:invitation_create", args=[w.org_a.pk]),
        "membership_edit": reverse("members:membership_edit", args=[w.org_a.memberships.get().pk]),
    }


ALLOWED = {
    # role: names it may open (GET) on cluster A's member
    "admin": {
        "organisation_detail",
        "organisation_edit",
        "contact_create",
        "contact_edit",
        "contact_delete",
        "invitation_create",
        "membership_edit",
    },
    "manager_a": {
        "organisation_detail",
        "organisation_edit",
        "contact_create",
        "contact_edit",
        "contact_delete",
        "invitation_create",
        "membership_edit",
    },
    "coordinator": {"organisation_detail"},
    "rep_a": {
        "organisation_detail",
        "organisation_edit",
        "contact_create",
        "contact_edit",
        "contact_delete",
    },
    "manager_b": set(),
    "outsider": set(),
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_object_urls_per_role(world, client, role):
    client.force_login(getattr(world, role))
    for name, url in _urls(world).items():
        response = client.get(url)
        if name in ALLOWED[role]:
            assert response.status_code == 200, (role, name)
        else:
            assert response.status_code in (403, 404), (role, name, response.status_code)


@pytest.mark.parametrize("role", ["manager_b", "outsider", "coordinator"])
def test_refused_roles_cannot_post_edits(world, client, role):
    client.force_login(getattr(world, role))
    urls = _urls(world)
    response = client.post(urls["organisation_edit"], {"legal_name": "Hijacked", "country": "ES"})
    assert response.status_code in (403, 404)
    response = client.post(urls["contact_delete"])
    assert response.status_code in (403, 404)
    world.org_a.refresh_from_db()
    assert world.org_a.legal_name == "Teixits Alfa S.L."
    assert world.org_a.contacts.filter(pk=world.contact_a.pk).exists()


def test_anonymous_is_sent_to_login(world, client):
    for url in [*_urls(world).values(), reverse("members:directory"), reverse("members:import")]:
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize(
    "name", ["directory", "export_csv", "export_xlsx", "import", "organisation_create"]
)
def test_list_urls_refuse_users_without_a_role(world, client, name):
    client.force_login(world.outsider)
    assert client.get(reverse(f"members:{name}")).status_code == 403


def test_representative_cannot_create_or_import(world, client):
    client.force_login(world.rep_a)
    assert client.get(reverse("members:organisation_create")).status_code == 403
    assert client.get(reverse("members:import")).status_code == 403


def test_cluster_edit_only_by_its_manager(world, client):
    url = reverse("members:cluster_edit", args=[world.cluster_a.pk])
    client.force_login(world.manager_b)
    assert client.get(url).status_code == 403
    client.force_login(world.manager_a)
    assert client.get(url).status_code == 200


def test_cluster_profiles_hidden_from_other_partnerships(world, client):
    other = f.ClusterFactory(acronym="OTHER")
    client.force_login(world.manager_a)
    assert client.get(reverse("members:cluster_detail", args=[other.pk])).status_code == 404
    assert (
        client.get(reverse("members:cluster_detail", args=[world.cluster_b.pk])).status_code == 200
    )


def test_invitation_revoke_refused_to_other_cluster(world, client):
    invitation = f.InvitationFactory(organisation=world.org_a, cluster=world.cluster_a)
    client.force_login(world.manager_b)
    response = client.post(reverse("members:invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_shared_member_is_visible_to_both_clusters(world):
    f.MembershipFactory(organisation=world.org_a, cluster=world.cluster_b)
    assert permissions.can_view_organisation(world.manager_b, world.org_a)
    assert permissions.can_edit_organisation(world.manager_b, world.org_a)


def test_ended_role_loses_access(world, client):
    world.manager_a.manager_roles.all().delete()
    client.force_login(world.manager_a)
    url = reverse("members:organisation_detail", args=[world.org_a.pk])
    assert client.get(url).status_code == 404
