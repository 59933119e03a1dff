"""Rules of the members services: permissions, invitations, SME definition."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from members import services
from members.models import Invitation, Organisation, Representative
from members.roles import scope_of
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "employees, turnover, balance, expected",
    [
        (249, 50_000_000, None, True),
        (250, 1_000_000, 1_000_000, False),
        (100, 60_000_000, 43_000_000, True),  # balance sheet alone qualifies
        (100, 60_000_000, 44_000_000, False),
        (100, None, None, None),
        (None, 1_000, 1_000, None),
    ],
)
def test_sme_definition(employees, turnover, balance, expected):
    org = Organisation(employees=employees, turnover_eur=turnover, balance_sheet_eur=balance)
    assert org.is_sme is expected


def test_sme_filter_matches_property(world):
    from members.models import sme_q

    cases = [
        (249, 50_000_000, None),
        (250, 1, 1),
        (100, 60_000_000, 43_000_000),
        (100, 60_000_000, None),
    ]
    for employees, turnover, balance in cases:
        f.OrganisationFactory(employees=employees, turnover_eur=turnover, balance_sheet_eur=balance)
    for org in Organisation.objects.all():
        in_filter = Organisation.objects.filter(sme_q(), pk=org.pk).exists()
        assert in_filter == bool(org.is_sme), org.__dict__


def test_organisation_update_refused_for_other_cluster(world):
    with pytest.raises(PermissionDenied):
        services.organisation_update(
            organisation=world.org_a, data={"city": "X"}, by=world.manager_b
        )


def test_organisation_create_refused_outside_own_cluster(world):
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            cluster=world.cluster_b, data={"legal_name": "X", "country": "FR"}, by=world.manager_a
        )


def test_organisation_update_validates(world):
    with pytest.raises(ValidationError):
        services.organisation_update(
            organisation=world.org_a, data={"latitude": Decimal("123")}, by=world.manager_a
        )


def test_invitation_sent_in_chosen_language(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            organisation=world.org_a,
            cluster=world.cluster_a,
            email="New@Alfa.example",
            language="fr",
            by=world.manager_a,
        )
    assert invitation.email == "new@alfa.example"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new@alfa.example"]
    assert reverse("members:invitation_accept", args=[invitation.token]) in message.body
    assert message.alternatives and "text/html" in message.alternatives[0][1]


def test_invitation_not_sent_before_commit(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.invitation_create(
            organisation=world.org_a,
            cluster=world.cluster_a,
            email="a@b.example",
            language="en",
            by=world.manager_a,
        )
    assert mailoutbox == []
    assert len(callbacks) == 1


def test_invitation_refused_for_other_clusters_member(world):
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            organisation=world.org_b,
            cluster=world.cluster_a,
            email="x@y.example",
            language="en",
            by=world.manager_a,
        )


def test_duplicate_pending_invitation_refused(world):
    kwargs = {
        "organisation": world.org_a,
        "cluster": world.cluster_a,
        "email": "dup@x.example",
        "language": "en",
        "by": world.manager_a,
    }
    services.invitation_create(**kwargs)
    with pytest.raises(ValidationError):
        services.invitation_create(**kwargs)
    assert Invitation.objects.filter(email="dup@x.example").count() == 1


def test_invitation_accept_links_account(world):
    invitation = f.InvitationFactory(
        organisation=world.org_a, cluster=world.cluster_a, email="joan@x.example"
    )
    user = f.UserFactory(email="joan@x.example")
    services.invitation_accept(invitation=invitation, user=user)
    assert Representative.objects.filter(user=user, organisation=world.org_a).exists()
    assert world.org_a.pk in scope_of(user).organisation_ids
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=user)


def test_invitation_accept_refuses_other_address_and_expired(world):
    invitation = f.InvitationFactory(
        organisation=world.org_a, cluster=world.cluster_a, email="joan@x.example"
    )
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=world.outsider)
    invitation.expires_at = timezone.now() - timedelta(days=1)
    invitation.save()
    with pytest.raises(ValidationError):
        services.invitation_accept(
            invitation=invitation, user=f.UserFactory(email="joan@x.example")
        )
    assert not Representative.objects.filter(
        organisation=world.org_a, user__email="joan@x.example"
    ).exists()


def test_invitation_revoke(world):
    invitation = f.InvitationFactory(organisation=world.org_a, cluster=world.cluster_a)
    with pytest.raises(PermissionDenied):
        services.invitation_revoke(invitation=invitation, by=world.manager_b)
    services.invitation_revoke(invitation=invitation, by=world.manager_a)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    with pytest.raises(ValidationError):
        services.invitation_accept(
            invitation=invitation, user=f.UserFactory(email=invitation.email)
        )


def test_signup_with_invited_address_becomes_representative(world, client, mailoutbox):
    """The whole invitation journey: sign up with the invited address, confirm the email
    through the link allauth sends, and the account represents the organisation."""
    invitation = f.InvitationFactory(
        organisation=world.org_a, cluster=world.cluster_a, email="maria@alfa.example"
    )
    response = client.get(reverse("members:invitation_accept", args=[invitation.token]))
    assert "Create my account" in response.content.decode()
    response = client.post(
        reverse("account_signup"),
        {
            "email": "maria@alfa.example",
            "password1": "a-Long-pass-2026",
            "password2": "a-Long-pass-2026",
        },
    )
    assert response.status_code == 302
    assert not Representative.objects.filter(user__email="maria@alfa.example").exists()
    confirmation = next(m for m in mailoutbox if "maria@alfa.example" in m.to)
    link = next(w for w in confirmation.body.split() if "/accounts/confirm-email/" in w)
    path = link[link.index("/accounts/") :]
    response = client.post(path)
    assert response.status_code == 302
    assert Representative.objects.filter(
        user__email="maria@alfa.example", organisation=world.org_a
    ).exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED


def test_invitation_views(world, client, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(world.manager_a)
    url = reverse("members:invitation_create", args=[world.org_a.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"email": "lluis@alfa.example", "language": "ca", "cluster": world.cluster_a.pk}
        )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    response = client.post(
        url, {"email": "lluis@alfa.example", "language": "ca", "cluster": world.cluster_a.pk}
    )
    assert "already pending" in response.content.decode()
    invitation = Invitation.objects.get(email="lluis@alfa.example")
    user = f.UserFactory(email="lluis@alfa.example")
    client.force_login(user)
    response = client.post(reverse("members:invitation_accept", args=[invitation.token]))
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
