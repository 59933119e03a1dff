"""Keyboard-only journeys (Tab, Shift+Tab, typing, Enter, Space, arrows in a select):
logging in, filtering the member directory, registering for an event, applying to
ClusterXchange. Every focused control shows a visible focus outline."""

import re

import pytest

from exchange.models import Application, EligibleCountry
from exchange.programme_data import seed_eligible_countries
from tests import factories as f
from tests import samples
from tests.exchange.factories import CallFactory
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


def shift_tab(page) -> dict:
    """One step back with Shift+Tab; the control reached shows its focus outline too."""
    page.keyboard.press("Shift+Tab")
    focused = page.evaluate(FOCUSED)
    assert focused["outline"] >= 2 and focused["outlineStyle"] != "none", focused
    return focused


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


CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")


def _named(name: str, value: str | None = None):
    """The form's field `name` (by its id: the language switch of the navbar has the same
    name), or the check box or radio button of that name with that value."""

    def matches(el):
        if value is None:
            return el["id"] == f"id_{name}"
        return el["name"] == name and el["text"] == value

    return matches


def _button(text: str):
    return lambda el: el["tag"] == "button" and el["text"] == text


def _check(page, name: str, values: set[str]) -> None:
    """Tab through the check boxes `name` (in page order) and tick those of `values`."""
    left = set(values)
    while left:
        focused = tab_to(page, lambda el: el["name"] == name and el["text"] in left)
        page.keyboard.press("Space")
        left.discard(focused["text"])


def _type_date(page, iso: str) -> None:
    """Types a date into the focused date field, day first as en-GB shows it; where the
    browser's own locale puts the month first, back to the first part and again."""
    year, month, day = iso.split("-")
    page.keyboard.type(day + month + year)
    if page.evaluate("() => document.activeElement.value") != iso:
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        page.keyboard.type(month + day + year)
    assert page.evaluate("() => document.activeElement.value") == iso


def _type_into(page, name: str, text: str) -> None:
    tab_to(page, _named(name))
    page.keyboard.type(text)


def test_apply_to_clusterxchange_with_the_keyboard_only(page, world, mailoutbox):
    """An anonymous applicant: the public form (account and organisation), the emailed
    confirmation link, then every step of the application to its submission, with Tab,
    Shift+Tab, typing, Space (check boxes, radio buttons) and Enter only. The file is
    given to the file field reached with Tab (what the system's file dialog does: that
    dialog is not part of the page, and headless Chromium does not always open it on a
    key press, which made this journey flaky)."""
    seed_eligible_countries(EligibleCountry)
    call = CallFactory(partnership=world.partnership, name="ClusterXchange call 2")
    sector = f.SectorFactory(code="C13.96", name="Technical textiles")

    page.goto("/exchange/")
    tab_to(page, lambda el: el["tag"] == "a" and el["href"].endswith("/exchange/apply/"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/exchange/apply/")
    expect(page.locator("main")).to_contain_text(f"You apply to the call “{call.name}”.")

    _type_into(page, "full_name", "Núria Estampadora")
    _type_into(page, "email", "nuria@estampats.example")
    _type_into(page, "password1", "Estampat-segur-2024")
    _type_into(page, "password2", "Estampat-segurr")
    # A typo: select it all and type again.
    page.keyboard.press("Control+A")
    page.keyboard.type("Estampat-segur-2024")
    assert shift_tab(page)["name"] == "password1"  # Shift+Tab goes back one control
    tab_to(page, _named("password2"))
    tab_to(page, _named("language"))
    page.keyboard.type("English")  # a closed select takes typed letters
    _type_into(page, "legal_name", "Estampats Sabadell")
    tab_to(page, _named("country"))
    page.keyboard.type("Spain")
    tab_to(page, _named("org_type"))
    page.keyboard.type("SME")
    _type_into(page, "vat_number", "B55443322")
    _type_into(page, "city", "Sabadell")
    _type_into(page, "employees", "30")
    _type_into(page, "turnover_eur", "4000000")
    tab_to(page, _named("managing_cluster"))
    page.keyboard.type(world.cluster_a.acronym)
    tab_to(page, _named("consent_privacy"))
    page.keyboard.press("Space")
    for name, value in (
        ("language", "en"),
        ("country", "ES"),
        ("org_type", "sme"),
        ("managing_cluster", str(world.cluster_a.pk)),
        ("password2", "Estampat-segur-2024"),
    ):
        expect(page.locator(f"#id_{name}")).to_have_value(value)
    expect(page.locator("#id_consent_privacy")).to_be_checked()
    tab_to(page, _button("Create my account and save the draft"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/exchange/apply/check-your-email/")

    (message,) = mailoutbox
    page.goto(CONFIRM_LINK.search(message.body).group(1))
    tab_to(page, _button("Confirm"))
    page.keyboard.press("Enter")
    application = Application.objects.get(applicant__email="nuria@estampats.example")
    page.wait_for_url(f"**/exchange/applications/{application.pk}/edit/participation/")

    # Participation: a radio button, two text areas, two check boxes.
    tab_to(page, _named("role", "visitor"))
    page.keyboard.press("Space")
    expect(page.get_by_label("Visit an organisation abroad")).to_be_checked()
    _type_into(page, "motivation", "We print technical textiles digitally.")
    _type_into(
        page,
        "objectives",
        "Learn sustainable finishing of printed technical textiles in Portugal or France.",
    )
    _check(page, "activity_types", {"rdi", "knowledge"})
    tab_to(page, _button("Save and continue"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name="Preferences")).to_be_visible()

    # Preferences: check boxes and two date fields typed day, month, year (en-GB).
    tab_to(page, _named("available_from"))
    _type_date(page, "2031-05-04")
    tab_to(page, _named("available_until"))
    _type_date(page, "2031-05-29")
    _check(page, "preferred_countries", {"PT", "FR"})
    _check(page, "sectors", {str(sector.pk)})
    expect(page.locator("#id_available_from")).to_have_value("2031-05-04")
    expect(page.locator("#id_available_until")).to_have_value("2031-05-29")
    tab_to(page, _button("Save and continue"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name="Documents")).to_be_visible()

    # Documents: the file field is reached with Tab; the file is then set on the focused
    # field itself (no waiting for a chooser event), and the page sees it.
    focused = tab_to(page, _named("file"))
    field = page.locator("input:focus")
    expect(field).to_have_attribute("type", "file")
    expect(field).to_be_enabled()
    assert focused["id"] == field.get_attribute("id")
    field.set_input_files(
        {"name": "CV Núria.pdf", "mimeType": "application/pdf", "buffer": samples.PDF}
    )
    expect(field).to_be_focused()
    assert field.evaluate("el => el.files.length && el.files[0].name") == "CV Núria.pdf"
    tab_to(page, _button("Upload"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("CV Núria.pdf was uploaded.")
    tab_to(page, _button("Save and continue"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name="Consents")).to_be_visible()

    expect(page.locator("#id_consent_privacy")).to_be_checked()
    tab_to(page, _button("Save and continue"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name="Review and submit")).to_be_visible()

    tab_to(page, _button("Submit the application"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/exchange/applications/{application.pk}/")
    expect(page.get_by_role("alert")).to_contain_text("Your application was submitted.")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.role == Application.Role.VISITOR
    assert sorted(application.activity_types) == ["knowledge", "rdi"]
    assert sorted(application.preferred_countries) == ["FR", "PT"]
    assert application.documents.count() == 1
