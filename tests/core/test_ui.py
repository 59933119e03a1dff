"""Small pieces of the interface: favicon, number formats, live result counts, the
representative's directory, the navbar's More menu."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, translation

pytestmark = pytest.mark.django_db


def test_favicon_is_linked_and_favicon_ico_redirects_to_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response.url.endswith("favicon.svg")
    assert 'rel="icon"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    "language, expected",
    [
        ("en", "€1,100.00"),
        ("es", "1.100,00\xa0€"),
        ("pt", "1.100,00\xa0€"),
        ("ca", "1.100,00\xa0€"),
        ("fr", "1\u202f100,00\xa0€"),
    ],
)
def test_money_is_written_as_each_language_writes_it(language, expected):
    with translation.override(language):
        rendered = Template("{% load formats %}{{ amount|money }}").render(
            Context({"amount": Decimal("1100")})
        )
    assert rendered == expected


def test_english_dates_are_day_before_month_with_a_24_hour_clock():
    with translation.override("en"):
        assert formats.date_format(date(2020, 5, 3), "SHORT_DATE_FORMAT") == "03/05/2020"
        assert formats.date_format(datetime(2026, 3, 12, 21, 10), "DATETIME_FORMAT") == (
            "12 Mar 2026 21:10"
        )


def test_htmx_results_update_a_live_region(world, client):
    client.force_login(world.manager_a)
    page = client.get(reverse("members:directory")).content.decode()
    assert 'id="result-status"' in page and 'role="status"' in page
    partial = client.get(
        reverse("members:directory"), {"q": "Teixits"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'hx-swap-oob="true"' in partial and "1 organisation" in partial


def test_a_representative_has_no_filter_bar_in_the_directory(world, client):
    client.force_login(world.rep_a)
    page = client.get(reverse("members:directory")).content.decode()
    assert 'role="search"' not in page and world.org_a.legal_name in page
    client.force_login(world.manager_a)
    assert 'role="search"' in client.get(reverse("members:directory")).content.decode()


def test_less_used_entries_are_in_the_more_menu(world, client):
    client.force_login(world.admin)
    page = client.get("/").content.decode()
    more = page[page.index('data-testid="nav-more"') :]
    more = more[: more.index("</ul>")]
    assert reverse("members:cluster_list") in more and reverse("admin:index") in more


def test_holiday_names_follow_the_language():
    from exchange.placements.grant import public_holidays

    day = date(2026, 10, 12)
    with translation.override("es"):
        assert public_holidays("ES", day, day)[day] == "Fiesta Nacional de España"
    with translation.override("en"):
        assert public_holidays("ES", day, day)[day] == "National Day"


def test_sector_and_kpi_names_go_through_the_catalogue(monkeypatch):
    from members.models import Sector
    from projects.models import KPI

    monkeypatch.setattr(
        "django.utils.translation.gettext",
        lambda text: {"Finishing of textiles": "Acabado"}.get(text, text),
    )
    assert str(Sector(code="C13.3", name="Finishing of textiles")) == "C13.3 – Acabado"
    assert KPI(name="Finishing of textiles").display_name == "Acabado"


def test_account_emails_use_the_portals_own_templates(client, mailoutbox):
    """allauth's own catalogues say "tú" in Spanish; the portal's templates carry msgids
    of its own catalogue (formal register)."""
    client.post(
        reverse("account_signup"),
        {
            "email": "new.person@example.org",
            "password1": "Long-pass-123!",
            "password2": "Long-pass-123!",
        },
    )
    body = mailoutbox[-1].body
    assert "To confirm that it is yours, please open this link:" in body
    assert mailoutbox[-1].subject.endswith("Please confirm your email address")
    assert "The CLAMTEX" in body or "team" in body


def test_event_text_carries_the_language_it_is_written_in(world, client):
    from tests.workshops.factories import EventFactory

    event = EventFactory(partnership=world.partnership, language="en", summary="In English")
    world.manager_a.language = "fr"
    world.manager_a.save()
    client.force_login(world.manager_a)
    page = client.get(reverse("workshops:event_detail", args=[event.pk])).content.decode()
    assert '<html lang="fr">' in page
    assert f'<h1 class="h3 mb-1" lang="en">{event.title}</h1>' in page
