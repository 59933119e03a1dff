"""End-to-end journey of the workshops in headless Chromium against the live server: two
members compete for the last seat, the second joins the waiting list and is promoted when
the first cancels from "My registrations"."""

import re

import pytest

from notifications.models import Email
from tests.factories import PASSWORD
from tests.workshops.factories import EventFactory, RegistrationFactory, member_user
from workshops.models import Event, Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

S = Registration.Status


@pytest.fixture
def second_page(browser, live_server):
    """A page in its own browser context (its own cookies: another person), failing the
    test on JavaScript errors and server errors like the `page` fixture."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} on {r.url}") if r.status >= 500 else None,
    )
    yield page
    context.close()
    assert not problems, problems


def _log_in_on(page, user):
    """The same steps as the `log_in` fixture, on another page."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


@pytest.fixture
def last_seat(world):
    """A workshop of cluster A with 2 seats in person, one already taken, and two members
    of cluster A's member organisations."""
    event = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        title="Recycled fibres workshop",
        capacity_in_person=2,
        capacity_online=0,
    )
    RegistrationFactory(event=event, full_name="Early Bird", email="early@bird.example")
    first = member_user(
        world.cluster_a, user__email="mia@member.example", user__full_name="Mia Ferrer"
    )
    second = member_user(
        world.cluster_a, user__email="nil@member.example", user__full_name="Nil Vidal"
    )
    return event, first, second


def _open_event(page, event):
    page.get_by_role("link", name="Events", exact=True).click()
    page.wait_for_url("**/workshops/")
    page.get_by_role("link", name=re.compile(event.title)).click()
    page.wait_for_url(f"**/workshops/{event.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)


def _register_in_person(page, event):
    page.wait_for_url(f"**/workshops/{event.pk}/register/")
    expect(page.get_by_label("Full name")).not_to_be_empty()  # from the account
    page.get_by_label("Attendance").select_option("in_person")
    page.get_by_role("button", name="Register", exact=True).click()
    page.wait_for_url(f"**/workshops/{event.pk}/")


def _registration_of(user, event):
    return Registration.objects.get(event=event, email=user.email)


def test_last_seat_waiting_list_and_promotion(page, log_in, second_page, last_seat):
    event, first, second = last_seat

    # Member 1 takes the last seat.
    log_in(first)
    _open_event(page, event)
    registration_card = page.get_by_role("region", name="Registration", exact=True)
    expect(registration_card).to_contain_text("In person: 1 seat left of 2")
    page.get_by_role("link", name="Register", exact=True).click()
    _register_in_person(page, event)
    expect(page.get_by_role("alert")).to_contain_text("Mia Ferrer is registered.")
    expect(registration_card).to_contain_text("Your registrations")
    expect(registration_card.locator(".badge")).to_have_text("Registered")
    expect(registration_card).to_contain_text("In person: full")
    assert _registration_of(first, event).status == S.REGISTERED

    # Member 2, in another browser, finds the event full and joins the waiting list.
    _log_in_on(second_page, second)
    _open_event(second_page, event)
    expect(second_page.locator("main")).to_contain_text("The event is full.")
    second_page.get_by_role("link", name="Join the waiting list").click()
    expect(second_page.get_by_label("Attendance")).to_contain_text("full: waiting list")
    _register_in_person(second_page, event)
    expect(second_page.get_by_role("alert")).to_contain_text("Nil Vidal is on the waiting list")
    expect(
        second_page.get_by_role("region", name="Registration", exact=True).locator(".badge")
    ).to_have_text("On the waiting list")
    assert _registration_of(second, event).status == S.WAITLISTED
    second_page.get_by_role("button", name=second.full_name).click()  # the account menu
    second_page.get_by_role("link", name="My event registrations").click()
    second_page.wait_for_url("**/workshops/mine/")
    second_row = second_page.get_by_role("row", name=re.compile(event.title))
    expect(second_row.locator(".badge")).to_have_text("On the waiting list")

    # Member 1 cancels from "My registrations", after confirming.
    page.get_by_role("button", name=first.full_name).click()  # the account menu
    page.get_by_role("link", name="My event registrations").click()
    page.wait_for_url("**/workshops/mine/")
    row = page.get_by_role("row", name=re.compile(event.title))
    expect(row.locator(".badge")).to_have_text("Registered")
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    row.get_by_role("button", name="Cancel").click()
    page.wait_for_url("**/workshops/mine/")
    expect(page.get_by_role("alert")).to_contain_text(
        f"The registration for {event.title} is cancelled."
    )
    expect(row.locator(".badge")).to_have_text("Cancelled")
    expect(row.get_by_role("button", name="Cancel")).to_have_count(0)
    assert dialogs == ["Cancel this registration?"]

    # Member 2 reloads their registrations: the freed seat is theirs.
    second_page.reload()
    expect(second_row.locator(".badge")).to_have_text("Registered")

    assert _registration_of(first, event).status == S.CANCELLED
    assert _registration_of(second, event).status == S.REGISTERED
    event = Event.objects.get(pk=event.pk)
    assert event.taken_in_person == 2
    assert event.registrations.filter(status=S.WAITLISTED).count() == 0
    promoted = Email.objects.get(recipient=second.email, kind="workshops.promoted")
    assert promoted.status == Email.Status.SENT


def test_back_to_a_searched_event_list_shows_the_full_page(page, log_in, world):
    event = EventFactory(
        partnership=world.partnership, organisers=[world.cluster_a], title="Smart textiles day"
    )
    EventFactory(partnership=world.partnership, organisers=[world.cluster_a], title="Circular day")
    log_in(world.rep_a)
    page.goto("/workshops/")
    with page.expect_response(lambda r: "q=Smart" in r.url):
        page.locator("#id_q").press_sequentially("Smart")
    expect(page).to_have_url(re.compile(r"[?&]q=Smart"))
    expect(page.locator("#results")).not_to_contain_text("Circular day")
    page.get_by_role("link", name=re.compile(event.title)).click()
    page.wait_for_url(f"**/workshops/{event.pk}/")

    page.go_back()  # returns once the page has loaded

    assert page.locator("nav.navbar").count() == 1, "Back showed the bare htmx fragment"
    expect(page.locator("#results")).to_contain_text(event.title)
    expect(page.locator("#id_q")).to_have_value("Smart")
