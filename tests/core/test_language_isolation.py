"""A request's language does not outlive the request in its thread. The language switch
(and LocaleMiddleware / UserLanguageMiddleware) used to leave Spanish active after a test
posted `language=es`, so tests/members/test_import_limits.py, run after
tests/members/test_views.py, found its messages in Spanish."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests import factories as f


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_language_switch_does_not_leak(client, db):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "es"
    assert translation.get_language() == "en"


def test_browser_language_does_not_leak(client, db):
    client.get("/", HTTP_ACCEPT_LANGUAGE="pt")
    assert translation.get_language() == "en"


def test_account_language_does_not_leak(client, db):
    client.force_login(f.UserFactory(language="fr"))
    response = client.get(reverse("profile"))
    assert response["Content-Language"] == "fr"
    assert translation.get_language() == "en"


def test_streamed_response_keeps_the_request_language_until_its_end(client, world):
    """The restore waits for the end of a streamed body (request_finished), so a CSV is
    written in the language of the request that asked for it."""
    world.manager_a.language = "ca"
    world.manager_a.save(update_fields=["language"])
    client.force_login(world.manager_a)
    response = client.get(reverse("members:export_csv"))
    assert response.streaming and response["Content-Language"] == "ca"
    assert translation.get_language() == "ca"  # the body is not sent yet
    b"".join(response.streaming_content)
    assert translation.get_language() == "en"


def test_profile_message_speaks_the_new_language(client, db):
    user = f.UserFactory(language="en")
    client.force_login(user)
    response = client.post(
        reverse("profile"),
        {"form": "profile", "full_name": user.full_name, "language": "fr", "phone": ""},
        follow=True,
    )
    assert response["Content-Language"] == "fr"
    with translation.override("fr"):
        expected = translation.gettext("Your profile was saved.")
    assert expected in response.content.decode()
    assert translation.get_language() == "en"
