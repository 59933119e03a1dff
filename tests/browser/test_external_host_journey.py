"""End-to-end journey of an exchange with a host of another partnership, in headless
Chromium: the visitor's cluster manager proposes the external host and its partnership's
cluster; the host opens its private link (no account), confirms the match, completes the
plan, prepares the Commitment to Quality and signs it with the code emailed to it (a wrong
code is refused); the host's cluster signs the same way; the visitor and its cluster sign
in the portal; the stay starts and the host confirms through its link that it took place;
the manager revokes the link and it stops working."""

import re
from datetime import timedelta

import pytest

from exchange.models import Exchange, ExternalParty, HostConfirmation, Signature
from exchange.placements import services as lifecycle
from tests.exchange.external_helpers import HOP, HOST, accepted_visitor, last_code, token_of
from tests.exchange.lifecycle_factories import END, START
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


@pytest.fixture
def visitor_app(world):
    from exchange.models import EligibleCountry
    from exchange.programme_data import seed_eligible_countries

    seed_eligible_countries(EligibleCountry)  # flushed by transactional tests
    return accepted_visitor(world)


@pytest.fixture
def open_page(browser, live_server):
    """A page in its own browser context, logged in as `user` (session cookie) or not at
    all; the test fails on JavaScript errors and server errors."""
    from django.conf import settings
    from django.test import Client

    contexts, problems = [], []

    def _open(user=None):
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
        page.on(
            "response",
            lambda r: problems.append(f"{r.status} on {r.url}") if r.status >= 500 else None,
        )
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies(
                [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
            )
        return page

    yield _open
    for context in contexts:
        context.close()
    assert not problems, problems


def _sign_in_portal(page, document: str):
    page.get_by_role("link", name=f"Sign the {document}").click()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Sign", exact=True).click()


def _sign_with_code(page, party: ExternalParty, *, wrong_first=False):
    page.get_by_role("button", name="Email me a code to sign").click()
    expect(page.get_by_role("alert").first).to_contain_text("A code was emailed to")
    code = last_code(party)
    if wrong_first:
        page.get_by_label("Code received by email").fill(f"{(int(code) + 1) % 10**6:06d}")
        page.get_by_role("button", name="Sign", exact=True).click()
        expect(page.get_by_text("The code is not correct (4 attempts left).")).to_be_visible()
    page.get_by_label("Code received by email").fill(code)
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("your signature is recorded")
    expect(page.locator("#signed-commitment")).to_contain_text("You signed this version.")


def test_exchange_with_a_host_of_another_partnership(world, visitor_app, open_page):
    # The visitor's cluster manager proposes the host of another partnership.
    manager = open_page(world.manager_a)
    manager.goto("/exchange/exchanges/")
    manager.get_by_role("link", name="Host of another partnership").click()
    manager.get_by_label("Our visitor").select_option(str(visitor_app.pk))
    manager.get_by_label("Type of organisation").select_option("sme")
    for prefix, data in (("host", HOST), ("hop", HOP)):
        for name, value in data.items():
            field = manager.locator(f'[name="{prefix}_{name}"]')
            if not field.count():
                continue  # the cluster's partnership is the organisation's
            if name in ("country", "contact_language"):
                field.select_option(value)
            else:
                field.fill(value)
    manager.locator('[name="latitude"]').fill("50.744")
    manager.locator('[name="longitude"]').fill("3.214")
    manager.get_by_role("button", name="Send the invitations").click()
    expect(manager.get_by_role("alert").first).to_contain_text("The invitations were sent.")
    expect(manager.locator("#exchange-status")).to_have_text("Proposed")
    expect(manager.locator("#external-parties")).to_contain_text("Flanders Textile Cluster")
    exchange = Exchange.objects.get()
    detail = f"/exchange/exchanges/{exchange.pk}/"
    ho = ExternalParty.objects.get(exchange=exchange, role="ho")
    hop_party = ExternalParty.objects.get(exchange=exchange, role="hop")

    # The host opens its link (no account) and confirms the match.
    host = open_page()
    host.goto(f"/exchange/partner/{token_of(ho)}/")
    expect(host.get_by_role("heading", level=1)).to_have_text(
        "Teixits Alfa S.L. → Textiles Gamma SRL"
    )
    host.get_by_role("button", name="Confirm the match").click()
    expect(host.get_by_role("alert").first).to_contain_text("the match is confirmed")
    expect(host.locator("#exchange-status")).to_have_text("Matched")

    # It completes the plan and prepares the Commitment to Quality.
    host.get_by_label("First day at the host").fill(START.isoformat())
    host.get_by_label("Last day at the host").fill(END.isoformat())
    host.get_by_label("Objectives").fill("Learn the digital finishing line")
    host.get_by_label("Agenda, day by day").fill("Day 1: welcome\nDay 2: line\nDay 3: lab")
    host.get_by_label("Knowledge sharing").check()
    host.get_by_role("button", name="Save the plan").click()
    expect(host.get_by_role("alert").first).to_contain_text("The plan was saved.")
    expect(host.locator("#exchange-status")).to_have_text("In preparation")
    host.get_by_role("button", name="Prepare the Commitment to Quality").click()

    # It signs with the code emailed to it (read from the outbox); a wrong code is refused.
    _sign_with_code(host, ho, wrong_first=True)

    # The host's cluster (another partnership) signs the same way through its own link.
    hop = open_page()
    hop.goto(f"/exchange/partner/{token_of(hop_party)}/")
    expect(hop.get_by_role("button", name="Confirm the match")).to_have_count(0)
    _sign_with_code(hop, hop_party)

    # The visitor and its cluster sign in the portal; the financial agreement too.
    visitor = open_page(visitor_app.applicant)
    visitor.goto(detail)
    _sign_in_portal(visitor, "Commitment to Quality")
    expect(visitor.get_by_role("alert").first).to_contain_text("as Visiting organisation")
    visitor.get_by_role("button", name="Generate the financial agreement").click()
    _sign_in_portal(visitor, "Financial agreement")
    manager.goto(detail)
    _sign_in_portal(manager, "Commitment to Quality")
    _sign_in_portal(manager, "Financial agreement")
    expect(manager.locator("#exchange-status")).to_have_text("Ready")
    expect(manager.locator("#documents")).to_contain_text("Gaëlle Gamma (private link")
    assert Signature.objects.filter(external_party__isnull=False).count() == 2

    # The stay starts; the host confirms through its link that it took place.
    lifecycle.exchanges_follow_dates(today=START)
    host.reload()
    expect(host.locator("#exchange-status")).to_have_text("Ongoing")
    host.get_by_label("Yes, the visit took place").check()
    host.get_by_label("Short feedback on the visit").fill("Très bon échange")
    host.get_by_role("button", name="Confirm", exact=True).click()
    expect(host.get_by_role("alert").first).to_contain_text("your confirmation is recorded")
    confirmation = HostConfirmation.objects.get(exchange=exchange)
    assert confirmation.took_place and confirmation.external_party == ho
    lifecycle.exchanges_follow_dates(today=END + timedelta(days=1))
    manager.goto(detail)
    expect(manager.locator("#host-confirmation")).to_contain_text("Gaëlle Gamma")

    # The manager revokes the host's link (after confirming): it stops working.
    asked = []

    def confirm(dialog):
        asked.append(dialog.message)
        dialog.accept()

    manager.once("dialog", confirm)
    manager.locator("#external-parties li", has_text="Textiles Gamma SRL").get_by_role(
        "button", name="Revoke the link"
    ).click()
    expect(manager.get_by_role("alert").first).to_contain_text("no longer works")
    assert asked == ["Revoke this link? It stops working at once; you can send a new link later."]
    response = host.goto(host.url)
    assert response.status == 403
    expect(host.locator("#link-refused")).to_contain_text(re.compile("revoked"))
