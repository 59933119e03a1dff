"""Pages of the privacy app: the processing register (administrators only) and links."""

from django.urls import reverse


def test_processing_register_for_administrators(
    world, client, settings, django_assert_max_num_queries
):
    settings.PRIVACY_RETENTION_CLOSED_APPLICATIONS_DAYS = 400
    client.force_login(world.admin)
    with django_assert_max_num_queries(6):  # session, user, base template's context
        response = client.get(reverse("privacy:register"))
    assert response.status_code == 200
    page = response.content.decode()
    for heading in ("Purpose", "Data categories", "Legal basis", "Retention", "Recipients"):
        assert heading in page
    assert "400 days" in page  # the retention configured on this server
    assert "ClusterXchange exchanges, grants and payments" in page


def test_processing_register_is_refused_to_everyone_else(world, client):
    for user in (world.coordinator, world.manager_a, world.rep_a, world.outsider):
        client.force_login(user)
        assert client.get(reverse("privacy:register")).status_code == 403
    client.logout()
    assert client.get(reverse("privacy:register")).status_code == 302


def test_delete_page_explains_what_is_kept(world, client):
    client.force_login(world.rep_a)
    page = client.get(reverse("account_delete")).content.decode()
    assert "grant and payment records" in page
    assert 'name="password"' in page and 'name="confirm"' in page


def test_profile_links_to_my_data(world, client):
    client.force_login(world.rep_a)
    page = client.get(reverse("profile")).content.decode()
    assert reverse("privacy:my_data") in page


def test_registration_form_links_to_the_notice(world, client):
    from tests.workshops.factories import EventFactory

    event = EventFactory(partnership=world.partnership, audience="public")
    event.organisers.set([world.cluster_a])
    page = client.get(reverse("workshops:register", args=[event.pk])).content.decode()
    assert reverse("privacy:notice") in page
