"""End-to-end journey of a ClusterXchange exchange in headless Chromium: from a matched
exchange, the visitor and the host agree on the plan, the Commitment to Quality and the
financial agreement are generated and signed by the four parties (each re-entering their
password), the dates pass, the visitor submits the closing report with evidence, and the
visitor's cluster validates it."""

import re
from datetime import timedelta

import pytest

from exchange.models import ClosingReport, Exchange, Signature
from exchange.placements import services as lifecycle
from tests.exchange.lifecycle_factories import END, PDF_BYTES, START, matched_exchange
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


@pytest.fixture
def parties(world):
    """The programme data a migration seeds (flushed by transactional tests), then a
    matched exchange: org_a (Spain, cluster A) visits org_b (France, cluster B)."""
    from exchange.models import EligibleCountry
    from exchange.programme_data import seed_eligible_countries

    seed_eligible_countries(EligibleCountry)
    return matched_exchange(world)


@pytest.fixture
def open_as(browser, live_server):
    """A logged-in page per person, each in its own browser context (its own cookies),
    failing the test on JavaScript errors and server errors. The first person logs in
    through the form; the others get a session cookie (faster; the form is proven once)."""
    from django.conf import settings
    from django.test import Client

    contexts, problems = [], []

    def _open(user, *, through_form=False):
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
        if through_form:
            page.goto("/accounts/login/")
            page.get_by_label("Email").fill(user.email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign In").click()
            page.wait_for_url("/")
        else:
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


def _sign(page, document: str, *, password=PASSWORD):
    page.get_by_role("link", name=f"Sign the {document}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Sign the {document}")
    page.get_by_label("Your password").fill(password)
    page.get_by_role("button", name="Sign", exact=True).click()


def test_from_match_to_validated_report(parties, open_as):
    exchange = parties.exchange
    detail = f"/exchange/exchanges/{exchange.pk}/"

    # The visitor finds the exchange in its list and proposes the plan.
    visitor = open_as(parties.visitor, through_form=True)
    visitor.goto("/exchange/exchanges/")
    visitor.get_by_role("link", name="Teixits Alfa S.L.").click()
    visitor.wait_for_url(f"**{detail}")
    expect(visitor.locator("#exchange-status")).to_have_text("Matched")
    visitor.get_by_label("First day at the host").fill(START.isoformat())
    visitor.get_by_label("Last day at the host").fill(END.isoformat())
    visitor.get_by_label("Objectives").fill("Learn the digital finishing line")
    visitor.get_by_label("Agenda, day by day").fill(
        "Day 1: welcome\nDay 2: finishing line\nDay 3: lab\nDay 4: clients\nDay 5: wrap-up"
    )
    visitor.get_by_label("Knowledge sharing").check()
    visitor.get_by_role("button", name="Save the plan").click()
    expect(visitor.get_by_role("alert").first).to_contain_text("The plan was saved.")
    expect(visitor.locator("#grant-amount")).to_contain_text("€900.00")
    expect(visitor.locator("#exchange-status")).to_have_text("In preparation")

    # The host completes the agenda: still before any signature, nothing to void.
    host = open_as(parties.host)
    host.goto(detail)
    expect(host.get_by_label("Objectives")).to_have_value("Learn the digital finishing line")
    host.get_by_label("Capacity building").check()
    host.get_by_role("button", name="Save the plan").click()
    expect(host.get_by_role("alert").first).to_contain_text("The plan was saved.")
    host.get_by_role("button", name="Generate the Commitment to Quality").click()
    expect(host.get_by_role("alert").first).to_contain_text("version 1, is ready to sign")

    # A wrong password is refused; the right one signs.
    _sign(host, "Commitment to Quality", password="not-my-password")
    expect(host.get_by_text("The password is not correct.")).to_be_visible()
    host.get_by_label("Your password").fill(PASSWORD)
    host.get_by_role("button", name="Sign", exact=True).click()
    host.wait_for_url(re.compile(rf"{detail}#documents$"))
    expect(host.get_by_role("alert").first).to_contain_text(
        "You signed Commitment to Quality as Host organisation."
    )

    visitor.reload()
    _sign(visitor, "Commitment to Quality")
    expect(visitor.get_by_role("alert").first).to_contain_text("as Visiting organisation")
    visitor.get_by_role("button", name="Generate the financial agreement").click()
    _sign(visitor, "Financial agreement")
    expect(visitor.get_by_role("alert").first).to_contain_text("You signed Financial agreement")

    # The two clusters sign.
    hop = open_as(parties.hop)
    hop.goto(detail)
    _sign(hop, "Commitment to Quality")
    expect(hop.get_by_role("alert").first).to_contain_text("as Host organisation's cluster")
    vop = open_as(parties.vop)
    vop.goto(detail)
    _sign(vop, "Commitment to Quality")
    _sign(vop, "Financial agreement")
    expect(vop.locator("#exchange-status")).to_have_text("Ready")
    expect(vop.locator("#grant")).to_contain_text("fixed by the signed financial agreement")
    assert Signature.objects.count() == 6

    # The dates pass (the daily task).
    lifecycle.exchanges_follow_dates(today=START)
    lifecycle.exchanges_follow_dates(today=END + timedelta(days=1))

    # The visitor writes the closing report and adds the evidence.
    visitor.goto(detail)
    expect(visitor.locator("#exchange-status")).to_have_text("Completed")
    # the days actually spent default to the plan
    expect(visitor.get_by_label("Actual first day at the host")).to_have_value(START.isoformat())
    visitor.get_by_label("Objectives reached").fill("We learnt the digital finishing process")
    visitor.get_by_label("Results", exact=True).fill("A pilot order of coated fabric")
    visitor.locator('input[name="rating"][value="5"]').check()
    visitor.get_by_role("button", name="Save the report").click()
    expect(visitor.get_by_role("alert").first).to_contain_text("Your closing report was saved.")
    for kind, name in (
        ("ticket", "boarding-pass.pdf"),
        ("accommodation_invoice", "hotel.pdf"),
        ("attendance", "attendance.pdf"),
    ):
        visitor.get_by_label("Kind of evidence").select_option(kind)
        visitor.get_by_label(re.compile(r"^File")).set_input_files(
            {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}
        )
        visitor.get_by_role("button", name="Add the evidence").click()
        expect(visitor.get_by_role("alert").first).to_contain_text(f"{name} was added.")
    expect(visitor.locator("#evidence")).to_contain_text("boarding-pass.pdf")
    visitor.get_by_role("button", name="Submit the report").click()
    expect(visitor.get_by_role("alert").first).to_contain_text("Your closing report was submitted.")
    expect(visitor.locator("#exchange-status")).to_have_text("Report submitted")

    # The visitor's cluster checks the evidence and validates.
    vop.goto(detail)
    expect(vop.locator("#evidence")).to_contain_text("attendance.pdf")
    vop.get_by_label("I checked the evidence (tickets, invoices, attendance)").check()
    vop.get_by_role("button", name="Validate the report").click()
    expect(vop.get_by_role("alert").first).to_contain_text("The closing report is validated.")
    expect(vop.locator("#report-status")).to_have_text("Validated")
    expect(vop.locator("#exchange-status")).to_have_text("Report validated")

    report = ClosingReport.objects.get(exchange=exchange)
    assert (report.status, report.evidence_checked, report.validated_by) == (
        ClosingReport.Status.VALIDATED,
        True,
        parties.vop,
    )
    assert Exchange.objects.get(pk=exchange.pk).status == Exchange.Status.REPORT_VALIDATED
