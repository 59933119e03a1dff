"""Keyboard-only journeys (Tab, Shift+Tab, typing, Enter, arrows in a select): logging in,
filtering the member directory, registering for an event. Every focused control shows a
visible focus outline."""

import re

import pytest

from tests import factories as f
from tests.workshops.factories import EventFactory
from workshops.models import Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect

FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
        tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '',
        text: (el.innerText || el.value || '').trim().slice(0, 60),
        href: el.getAttribute('href') || '',
        outline: parseFloat(style.outlineWidth) || 0, outlineStyle: style.outlineStyle,
    };
}"""


def tab_to(page, matches, limit=80) -> dict:
    """Press Tab until the focused element satisfies `matches`; each stop must show a
    focus outline of at least 2 px (WCAG 2.4.7 / 2.4.11)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["outline"] >= 2 and focused["outlineStyle"] != "none", focused
        if matches(focused):
            return focused
    raise AssertionError("not reachable with the keyboard")


def test_log_in_with_the_keyboard_only(page, world):
    page.goto("/accounts/login/")
    tab_to(page, lambda el: el["name"] == "login")
    page.keyboard.type(world.manager_a.email)
    tab_to(page, lambda el: el["name"] == "password")
    page.keyboard.type(f.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def _log_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("/")


def test_filter_the_directory_with_the_keyboard_only(page, world):
    _log_in(page, world.manager_a)
    page.goto("/members/")
    tab_to(page, lambda el: el["id"] == "id_q")
    with page.expect_response(lambda r: "q=Teixits" in r.url):
        page.keyboard.type("Teixits")
    # The count is announced through the live region, not only shown.
    expect(page.locator("#result-status")).to_have_text("1 organisation")
    tab_to(page, lambda el: world.org_a.legal_name in el["text"])
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/members/organisations/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.org_a.legal_name)


def test_register_for_an_event_with_the_keyboard_only(page, world):
    event = EventFactory(
        partnership=world.partnership, organisers=[world.cluster_a], title="Dyeing day"
    )
    _log_in(page, world.rep_a)
    page.goto(f"/workshops/{event.pk}/")
    tab_to(page, lambda el: el["tag"] == "a" and el["href"].endswith("/register/"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/workshops/{event.pk}/register/")
    tab_to(page, lambda el: el["name"] == "mode")
    page.keyboard.press("ArrowDown")  # a select changes value, the page stays (3.2.2)
    assert page.url.endswith("/register/")
    page.locator("select[name=mode]").select_option("in_person")  # back to a known value
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Register")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/workshops/{event.pk}/")
    registration = Registration.objects.get(event=event, email=world.rep_a.email)
    assert registration.status == Registration.Status.REGISTERED
