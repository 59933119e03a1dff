"""Content-Security-Policy in a real browser: the main pages of each role load with no
CSP violation (no inline script or handler left, htmx and Bootstrap from our files), and
the headers are there."""

import pytest

from tests.exchange.factories import CallFactory
from tests.exchange.lifecycle_factories import matched_exchange
from tests.workshops.factories import EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect

# Records every violation the page reports, before any of its scripts run.
LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _pages_of(world):
    event = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    exchange = matched_exchange(world, call=CallFactory(partnership=world.partnership)).exchange
    common = ["/", "/workshops/", f"/workshops/{event.pk}/", "/exchange/", "/workshops/calendar/"]
    return {
        None: ["/", "/accounts/login/", "/workshops/", "/exchange/", "/exchange/apply/"],
        "rep_a": [*common, "/members/mine/", "/exchange/mine/", "/accounts/profile/"],
        "manager_a": [
            *common,
            "/members/",
            f"/members/organisations/{world.org_a.pk}/",
            "/members/import/",
            f"/workshops/{event.pk}/participants/",
            f"/workshops/{event.pk}/edit/",
            "/exchange/review/",
            "/exchange/catalogue/",
            f"/exchange/exchanges/{exchange.pk}/",
            "/exchange/payments/",
            "/projects/",
            "/accounts/2fa/",
        ],
        "coordinator": [*common, "/members/clusters/", "/projects/", "/exchange/exchanges/"],
        "admin": ["/", "/admin/", "/admin/members/organisation/"],
    }


def test_main_pages_have_no_csp_violation(page, log_in, world, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    page.add_init_script(LISTENER)
    console = []
    page.on(
        "console",
        lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    violations = {}
    visited = 0
    for role, paths in _pages_of(world).items():
        page.context.clear_cookies()
        if role is not None:
            log_in(getattr(world, role))
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, (role, path, response.status)
            csp = response.headers.get("content-security-policy", "")
            script_src = csp.split("script-src", 1)[1].split(";", 1)[0]
            assert "'self'" in script_src and "unsafe" not in script_src, (path, csp)
            if not path.startswith("/admin/"):  # the admin's own templates take no nonce
                assert "'nonce-" in script_src, (path, csp)
            assert "camera=()" in response.headers.get("permissions-policy", "")
            page.wait_for_load_state("load")
            found = page.evaluate("window.__cspViolations")
            if found:
                violations[f"{role} {path}"] = found
            visited += 1
    assert visited >= 30
    assert not violations, violations
    assert not console, console


def test_confirm_dialogs_still_ask(page, log_in, world, settings):
    """The confirmations moved from onclick/onsubmit to data-confirm: dismissing the
    dialog keeps the invitation."""
    from tests import factories as f

    settings.MFA_REQUIRED_FOR_STAFF = False
    invitation = f.InvitationFactory(
        organisation=world.org_a, cluster=world.cluster_a, email="someone@example.org"
    )
    log_in(world.manager_a)
    page.goto(f"/members/organisations/{world.org_a.pk}/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Revoke").click()
    page.wait_for_timeout(300)
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    page.wait_for_url(f"**/members/organisations/{world.org_a.pk}/")
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
