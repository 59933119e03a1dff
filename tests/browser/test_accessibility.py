"""Every main page of every role, in Chromium: no page wider than the window at 320, 375,
768, 1280 and 1366 px in each of the five languages, and axe-core (WCAG 2.2 A/AA rules)
finds no serious or critical violation.

One browser and one logged-in context per role; a page is loaded once per language and
the window is resized (the layout reflows without a reload), so the 5 × 5 grid stays fast."""

import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from members.models import User
from tests.core.test_dashboard import populate
from workshops.models import Event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 375, 768, 1280, 1366)
LANGUAGES = [code for code, _name in settings.LANGUAGES]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def site(world):
    populate(world, 2)
    from exchange.models import Application, Exchange

    application = Application.objects.filter(managing_cluster=world.cluster_a).first()
    application.status = Application.Status.ACCEPTED
    application.save()
    event = Event.objects.first()
    exchange = Exchange.objects.filter(visitor_cluster=world.cluster_a).first()
    return {
        "anonymous": [
            "/",
            reverse("exchange:landing"),
            reverse("workshops:event_list"),
            reverse("account_login"),
            reverse("account_signup"),
        ],
        "manager_a": [
            "/",
            reverse("exchange:landing"),
            reverse("exchange:review_queue"),
            reverse("exchange:exchange_list"),
            reverse("exchange:exchange_detail", args=[exchange.pk]),
            reverse("exchange:application_detail", args=[application.pk]),
            reverse("exchange:payments"),
            reverse("members:directory"),
            reverse("members:organisation_detail", args=[world.org_a.pk]),
            reverse("members:cluster_list"),
            reverse("workshops:event_list"),
            reverse("workshops:calendar"),
            reverse("workshops:event_detail", args=[event.pk]),
            reverse("workshops:event_create"),
            reverse("workshops:participants", args=[event.pk]),
            reverse("projects:dashboard"),
            reverse("profile"),
        ],
        "coordinator": ["/", reverse("projects:dashboard"), reverse("members:directory")],
        "admin": ["/", reverse("members:cluster_list")],
        "rep_a": [
            "/",
            reverse("members:mine"),
            reverse("members:organisation_detail", args=[world.org_a.pk]),
            reverse("workshops:mine"),
            reverse("exchange:mine"),
            reverse("exchange:apply"),
        ],
    }


def _context(browser, live_server, user):
    # The test injects axe-core into the page: the portal's CSP would (rightly) block it.
    context = browser.new_context(base_url=live_server.url, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(15_000)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context


def _set_language(context, user, language, live_server):
    if user is not None:
        User.objects.filter(pk=user.pk).update(language=language)
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )


def _roles(world, site):
    for role, urls in site.items():
        yield role, (None if role == "anonymous" else getattr(world, role)), urls


# After a resize, wait two frames (charts and other observers re-lay out), then measure and
# name the deepest element that sticks out, to say what to fix.
MEASURE = """async () => {
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    const inner = window.innerWidth;
    let culprit = '';
    for (const el of document.querySelectorAll('body *')) {
        const box = el.getBoundingClientRect();
        if (box.width && box.right > inner + 1) {
            culprit = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (el.className && el.className.baseVal === undefined ? '.' +
                 String(el.className).trim().split(/\\s+/).join('.') : '');
        }
    }
    return [document.documentElement.scrollWidth, inner, culprit];
}"""


def test_no_page_is_wider_than_the_window(browser, live_server, world, site):
    too_wide = []
    for role, user, urls in _roles(world, site):
        context = _context(browser, live_server, user)
        page = context.new_page()
        for language in LANGUAGES:
            _set_language(context, user, language, live_server)
            for url in urls:
                page.set_viewport_size({"width": 1366, "height": 900})
                response = page.goto(url)
                assert response.status < 400, f"{role} {url}: {response.status}"
                page.wait_for_load_state("networkidle")
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    scroll, inner, culprit = page.evaluate(MEASURE)
                    if scroll > inner:
                        too_wide.append(
                            f"{role} {language} {url} at {width}: {scroll} px ({culprit})"
                        )
        context.close()
    assert not too_wide, "\n".join(too_wide)


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, nodes: v.nodes.length,
                target: v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}));
        }""",
        AXE_TAGS,
    )


# Each page is audited twice: on a desktop in French (long words) and on a phone in English.
AXE_RUNS = (("fr", 1280), ("en", 375))


def test_axe_finds_no_serious_or_critical_violation(browser, live_server, world, site):
    serious = []
    report = []
    for role, user, urls in _roles(world, site):
        context = _context(browser, live_server, user)
        page = context.new_page()
        for language, width in AXE_RUNS:
            _set_language(context, user, language, live_server)
            page.set_viewport_size({"width": width, "height": 900})
            for url in urls:
                page.goto(url)
                page.wait_for_load_state("networkidle")
                violations = _axe(page)
                report.append(
                    {
                        "role": role,
                        "language": language,
                        "width": width,
                        "url": url,
                        "violations": violations,
                    }
                )
                serious += [
                    f"{role} {language} {width} {url}: {v['id']} ({v['impact']}) {v['target']}"
                    for v in violations
                    if v["impact"] in ("serious", "critical")
                ]
        context.close()
    if os.environ.get("AXE_REPORT"):  # the counts per page, for the notes
        Path(os.environ["AXE_REPORT"]).write_text(json.dumps(report, indent=1))
    assert not serious, "\n".join(serious)
