"""End-to-end journeys in headless Chromium against the live server: log in through
allauth, search the member directory (htmx), edit one's own organisation, switch the
language."""

import re

import pytest

from members.models import Organisation
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def directory_world(world):
    """Besides the shared world: one more member of cluster A that the search must filter
    out, and a member of cluster B whose name matches the search, which manager A must
    never see."""
    gamma = f.OrganisationFactory(legal_name="Filatures Gamma S.A.", city="Mataró")
    f.MembershipFactory(organisation=gamma, cluster=world.cluster_a)
    delta = f.OrganisationFactory(legal_name="Teixits Delta SARL", country="FR", city="Lyon")
    f.MembershipFactory(organisation=delta, cluster=world.cluster_b)
    world.gamma, world.delta = gamma, delta
    return world


def test_manager_searches_the_directory_and_opens_a_member(page, log_in, directory_world):
    w = directory_world
    log_in(w.manager_a)
    expect(page.locator("main")).to_contain_text("Cluster manager")

    page.get_by_role("link", name="Directory", exact=True).click()
    page.wait_for_url("**/members/")
    results = page.locator("#results")
    expect(results).to_contain_text(w.org_a.legal_name)
    expect(results).to_contain_text(w.gamma.legal_name)
    expect(results).not_to_contain_text(w.delta.legal_name)
    expect(results).not_to_contain_text(w.org_b.legal_name)

    # Typing searches through htmx: #results is swapped, the page is not reloaded.
    page.evaluate("window.__sameDocument = true")
    with page.expect_response(
        lambda r: "q=Teixits" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        page.locator("#id_q").press_sequentially("Teixits")
    expect(page.locator("#result-count")).to_have_text("1 organisation")
    expect(results).to_contain_text(w.org_a.legal_name)
    expect(results).not_to_contain_text(w.gamma.legal_name)
    expect(results).not_to_contain_text(w.delta.legal_name)  # other cluster: never shown
    expect(page).to_have_url(re.compile(r"[?&]q=Teixits"))  # hx-push-url
    assert page.evaluate("window.__sameDocument") is True

    # The Search button submits the same form.
    page.locator("#id_q").fill("Gamma")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(results).to_contain_text(w.gamma.legal_name)
    expect(results).not_to_contain_text(w.org_a.legal_name)
    assert page.evaluate("window.__sameDocument") is True

    page.locator("#id_q").fill("Teixits")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(results).to_contain_text(w.org_a.legal_name)
    expect(results).not_to_contain_text(w.gamma.legal_name)
    results.get_by_role("link", name=w.org_a.legal_name).click()

    page.wait_for_url(f"**/members/organisations/{w.org_a.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(w.org_a.legal_name)
    expect(page.locator("main")).to_contain_text(w.contact_a.full_name)
    expect(page.locator("main")).to_contain_text(w.contact_a.email)
    expect(page.locator("main")).not_to_contain_text(w.contact_b.full_name)


def test_back_to_a_searched_directory_shows_the_full_page(page, log_in, world):
    log_in(world.manager_a)
    page.goto("/members/")
    with page.expect_response(lambda r: "q=Teixits" in r.url):
        page.locator("#id_q").press_sequentially("Teixits")
    expect(page).to_have_url(re.compile(r"[?&]q=Teixits"))
    page.get_by_role("link", name=world.org_a.legal_name).click()
    page.wait_for_url(f"**/members/organisations/{world.org_a.pk}/")

    page.go_back()  # returns once the page has loaded

    assert page.locator("nav.navbar").count() == 1, "Back showed the bare htmx fragment"
    expect(page.locator("#results")).to_contain_text(world.org_a.legal_name)
    expect(page.locator("#id_q")).to_have_value("Teixits")


def test_representative_edits_their_organisation(page, log_in, world):
    log_in(world.rep_a)
    expect(page.locator("main")).to_contain_text("Member representative")
    expect(page.get_by_role("link", name="Directory", exact=True)).to_have_count(0)

    page.get_by_role("link", name="My organisation").click()
    page.wait_for_url(f"**/members/organisations/{world.org_a.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(world.org_a.legal_name)

    page.get_by_role("link", name="Edit profile").click()
    page.wait_for_url(f"**/members/organisations/{world.org_a.pk}/edit/")
    page.get_by_label("Capabilities").fill("Technical textiles and 3D weaving")
    page.get_by_role("button", name="Save").click()

    page.wait_for_url(f"**/members/organisations/{world.org_a.pk}/")
    expect(page.get_by_role("alert")).to_contain_text("The organisation profile was saved.")
    expect(page.locator("main")).to_contain_text("Technical textiles and 3D weaving")
    org = Organisation.objects.get(pk=world.org_a.pk)
    assert org.capabilities == "Technical textiles and 3D weaving"
    assert org.legal_name == world.org_a.legal_name  # the other fields are kept


def test_language_switcher_changes_the_page_language(page, log_in, world):
    log_in(world.manager_a)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "en")

    page.locator("#language-switcher").select_option(label="Français")
    page.locator("form:has(#language-switcher)").get_by_role("button").click()

    expect(html).to_have_attribute("lang", "fr")
    expect(page.locator("#language-switcher")).to_have_value("fr")
    expect(page).to_have_url(re.compile(r"/$"))  # back on the page it was switched from
    # Remembered on the account, so it follows the user to the next page (and emails).
    page.goto("/members/")
    expect(html).to_have_attribute("lang", "fr")
    world.manager_a.refresh_from_db()
    assert world.manager_a.language == "fr"


def test_language_switcher_works_before_logging_in(page, live_server):
    page.goto("/accounts/login/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "en")

    page.locator("#language-switcher").select_option(label="Français")
    page.locator("form:has(#language-switcher)").get_by_role("button").click()

    expect(html).to_have_attribute("lang", "fr")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("django_language") == "fr"
