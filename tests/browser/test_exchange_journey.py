"""End-to-end journey of ClusterXchange in headless Chromium against the live server: a
new SME, without an account, fills the public form (which creates the account), confirms
its address from the emailed link, completes the steps and submits; the manager of its
cluster accepts the application; the SME sees the decision."""

import re

import pytest
from allauth.account.models import EmailAddress

from exchange.models import Application, EligibleCountry
from exchange.programme_data import seed_eligible_countries
from members.models import User
from notifications.models import Email
from tests import factories as f
from tests import samples
from tests.exchange.factories import CallFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

S = Application.Status
PDF = samples.PDF
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")


@pytest.fixture
def manager_page(browser, live_server):
    """The cluster manager's own browser context (their own cookies), failing the test on
    JavaScript and server errors like the `page` fixture."""
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


@pytest.fixture
def scheme(world):
    """An open call of the partnership, the programme's countries (transactional tests
    flush what the migration seeded), a sector, and a member SME of cluster A that the
    portal already knows (from the cluster's directory) but that has no account yet."""
    seed_eligible_countries(EligibleCountry)
    call = CallFactory(partnership=world.partnership, name="ClusterXchange call 2")
    sector = f.SectorFactory(code="C13.96", name="Technical textiles")
    org = f.OrganisationFactory(
        legal_name="Estampats Sabadell S.L.",
        vat_number="B55443322",
        country="ES",
        employees=30,
        turnover_eur=4_000_000,
    )
    f.MembershipFactory(organisation=org, cluster=world.cluster_a)
    return call, sector, org


def _exactly(label: str) -> re.Pattern:
    """A label as a whole, with or without the star of a required field."""
    return re.compile(rf"^{re.escape(label)}[\s*]*$")


def _save_and_continue(page, next_step: str):
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=2, name=next_step)).to_be_visible()


def test_new_sme_applies_the_manager_accepts_and_the_sme_sees_it(
    page, manager_page, live_server, world, scheme, mailoutbox
):
    call, sector, org = scheme
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    # 1. The public form, without an account.
    page.goto("/exchange/")
    page.get_by_role("link", name="Apply", exact=True).click()
    page.wait_for_url("**/exchange/apply/")
    expect(page.locator("main")).to_contain_text(f"You apply to the call “{call.name}”.")
    page.get_by_label("Your full name").fill("Núria Estampadora")
    page.get_by_label("Email address").fill("nuria@estampats.example")
    page.get_by_label(_exactly("Password")).fill("Estampat-segur-2024")
    page.get_by_label("Password (again)").fill("Estampat-segur-2024")
    page.get_by_label("Preferred language").select_option("en")
    page.get_by_label("Legal name").fill("Estampats Sabadell")
    page.get_by_label("Country of registration").select_option("ES")
    page.get_by_label("Type of organisation").select_option("sme")
    page.get_by_label("VAT / registration number").fill("B55443322")
    page.get_by_label("City").fill("Sabadell")
    page.get_by_label("Employees (headcount)").fill("30")
    page.get_by_label("Annual turnover (€)").fill("4000000")
    page.get_by_label("Cluster that reviews your application").select_option(label="AEI")
    page.get_by_label("I have read the privacy notice and agree to it.").check()
    page.get_by_role("button", name="Create my account and save the draft").click()
    page.wait_for_url("**/exchange/apply/check-your-email/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your email to continue")
    expect(page.locator("main")).to_contain_text("nuria@estampats.example")

    user = User.objects.get(email="nuria@estampats.example")
    assert not EmailAddress.objects.get(user=user).verified
    application = Application.objects.get(applicant=user)
    assert application.status == S.DRAFT
    # A typed VAT number never links the application to the registered member: the
    # application keeps what the applicant typed; the cluster links it during the review.
    assert application.organisation != org
    assert (application.vat_number_typed, application.managing_cluster) == (
        "B55443322",
        world.cluster_a,
    )

    # 2. The confirmation link from the email, opened in the same browser.
    (message,) = mailoutbox
    assert message.to == ["nuria@estampats.example"]
    page.goto(CONFIRM_LINK.search(message.body).group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Email Address")
    page.get_by_role("button", name="Confirm").click()

    # 3. Logged in, back at the draft: the organisation step is already complete.
    page.wait_for_url(f"**/exchange/applications/{application.pk}/edit/participation/")
    expect(page.get_by_role("heading", level=2, name="Participation")).to_be_visible()
    expect(page.get_by_role("link", name="1. Organisation (complete)")).to_be_visible()
    page.get_by_label("Visit an organisation abroad").check()
    page.get_by_label(_exactly("Motivation")).fill("We print technical textiles digitally.")
    page.get_by_label(_exactly("Objectives")).fill(
        "Learn sustainable finishing of printed technical textiles in Portugal or France."
    )
    page.get_by_label("R&D and innovation").check()
    page.get_by_label("Knowledge sharing").check()
    _save_and_continue(page, "Preferences")

    page.get_by_label("Available from").fill("2031-05-04")
    page.get_by_label("Available until").fill("2031-05-29")
    page.get_by_label("Portugal").check()
    page.get_by_label("France").check()
    page.get_by_label(str(sector)).check()
    _save_and_continue(page, "Documents")

    page.get_by_label("File").set_input_files(
        {"name": "CV Núria.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("alert")).to_contain_text("CV Núria.pdf was uploaded.")
    expect(page.get_by_role("link", name="CV Núria.pdf", exact=True)).to_be_visible()
    _save_and_continue(page, "Consents")

    expect(page.get_by_label("I have read the privacy notice and agree to it.")).to_be_checked()
    page.get_by_label("If my application is accepted, show it in the catalogue").check()
    page.get_by_label("Organisation name").check()
    page.get_by_label("Country", exact=True).check()
    _save_and_continue(page, "Review and submit")

    eligibility = page.get_by_role("list", name="Eligibility rules")
    expect(eligibility.get_by_role("listitem")).to_have_count(7)
    expect(eligibility).to_contain_text("To be confirmed by the cluster during the review.")
    expect(eligibility).not_to_contain_text("Estampats Sabadell S.L.")
    page.get_by_role("button", name="Submit the application").click()
    page.wait_for_url(f"**/exchange/applications/{application.pk}/")
    expect(page.get_by_role("alert")).to_contain_text("Your application was submitted.")
    expect(page.locator("#application-status")).to_have_text("Submitted")
    page.get_by_role("link", name="My applications").click()
    page.wait_for_url("**/exchange/mine/")
    card = page.locator(f"#application-{application.pk}")
    expect(card.locator(".badge")).to_have_text("Submitted")

    # 4. The manager of cluster A, in another browser, accepts it from the review queue.
    manager = world.manager_a
    manager_page.goto("/accounts/login/")
    manager_page.get_by_label("Email").fill(manager.email)
    manager_page.get_by_label("Password").fill(f.PASSWORD)
    manager_page.get_by_role("button", name="Sign In").click()
    manager_page.wait_for_url("/")
    manager_page.get_by_role("button", name="ClusterXchange", exact=True).click()  # menu
    manager_page.get_by_role("link", name="Applications to review").click()
    manager_page.wait_for_url("**/exchange/review/")
    # the queue shows the organisation as the applicant typed it
    row = manager_page.get_by_role("row", name=re.compile("Estampats Sabadell"))
    expect(row).to_contain_text("Núria Estampadora")
    expect(row.locator(".badge")).to_have_text("Submitted")
    row.get_by_role("link", name="Estampats Sabadell", exact=True).click()
    manager_page.wait_for_url(f"**/exchange/applications/{application.pk}/")
    review = manager_page.locator("#review")
    # The possible match (same VAT number), with the differences: the manager links it.
    expect(review.locator("#possible-matches")).to_be_visible()
    expect(review).to_contain_text("Estampats Sabadell S.L.")
    review.get_by_role("button", name="Link this record").click()
    expect(manager_page.get_by_role("alert")).to_contain_text(
        "The application is linked to the registered organisation."
    )
    review = manager_page.locator("#review")
    review.get_by_label("Membership confirmed by the cluster").check()
    review.get_by_label("Documents complete").check()
    review.get_by_label("Objectives clear").check()
    manager_page.once("dialog", accept)
    review.get_by_role("button", name="Accept").click()
    expect(manager_page.get_by_role("alert")).to_contain_text(
        "The application is now “Accepted”. The applicant is told by email."
    )
    expect(manager_page.locator("#application-status")).to_have_text("Accepted")
    assert dialogs == ["Accept this application? The applicant is told by email."]

    # 5. The SME reloads "My applications" and sees the decision.
    page.reload()
    expect(card.locator(".badge")).to_have_text("Accepted")

    application.refresh_from_db()
    assert application.status == S.ACCEPTED
    assert application.review_checklist == {
        "membership_confirmed": True,
        "documents_complete": True,
        "objectives_clear": True,
    }
    assert application.organisation == org
    assert application.preferred_countries == ["FR", "PT"]  # in the order of the form
    assert list(application.sectors.all()) == [sector]
    assert application.catalogue_fields == ["organisation", "country"]
    assert [d.original_name for d in application.documents.all()] == ["CV Núria.pdf"]
    assert list(application.history.values_list("from_status", "to_status", "by")) == [
        (S.DRAFT, S.SUBMITTED, user.pk),
        (S.SUBMITTED, S.SUBMITTED, manager.pk),  # linked to the registered organisation
        (S.SUBMITTED, S.ACCEPTED, manager.pk),
    ]
    assert EmailAddress.objects.get(user=user).verified
    decisions = Email.objects.filter(kind="exchange.decision", recipient=user.email)
    assert sorted(decisions.values_list("context__status", "status", "language")) == [
        (S.ACCEPTED, Email.Status.SENT, "en"),
        (S.SUBMITTED, Email.Status.SENT, "en"),
    ]
    assert [m.subject for m in mailoutbox[1:] if user.email in m.to] == [
        "We received your ClusterXchange application",
        "Your ClusterXchange application is accepted",
    ]
    # Each manager of the cluster is told of the submission (the review queue's email).
    (to_review,) = [m.subject for m in mailoutbox if manager.email in m.to]
    assert to_review == "New ClusterXchange application to review: Estampats Sabadell"
