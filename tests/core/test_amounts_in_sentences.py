"""Amounts inside translated sentences are written the reader's way (Babel): the sentence
carries no currency sign of its own, the formatted amount is passed in. French: 1 100,00 €
with a narrow no-break space between thousands and a no-break space before the sign."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from exchange.emails import PAYMENT_DUE
from exchange.models import EligibleCountry, Programme
from notifications.models import Email
from notifications.services import email_render

pytestmark = pytest.mark.django_db

FRENCH = "1\u202f100,00\xa0€"


def _payment_due(language: str, code: str = "due") -> tuple[str, str, str]:
    row = Email.objects.create(
        recipient="gestion@emc2.example",
        language=language,
        kind=PAYMENT_DUE.name,
        occasion_key=f"test:{language}:{code}",
        context={
            "name": "Camille",
            "code": code,
            "amount": "1100.00",  # as the reminder stores it (str of a Decimal)
            "visitor": "Composites Bêta SAS",
            "host": "Teixits Alfa S.L.",
            "due_on": "2026-12-14",
            "url": "https://portal.example/exchange/1/",
        },
    )
    subject, text, html, _headers = email_render(row)
    return subject, text, html


@pytest.mark.parametrize("code", ["due", "overdue"])
def test_payment_due_email_in_french_writes_the_amount_the_french_way(code):
    _subject, text, html = _payment_due("fr", code)
    assert f"La subvention de {FRENCH} pour l’échange" in text
    assert FRENCH in html
    assert "€1" not in text + html and "1100.00" not in text + html


def test_payment_due_email_in_each_language():
    expected = {
        "en": "The grant of €1,100.00 for the exchange",
        "es": "La subvención de 1.100,00\xa0€ del intercambio",
        "ca": "La subvenció de 1.100,00\xa0€ de l’intercanvi",
        "pt": "A subvenção de 1.100,00\xa0€ do intercâmbio",
    }
    for language, sentence in expected.items():
        _subject, text, _html = _payment_due(language)
        assert sentence in text, language


def test_exchange_landing_in_french_writes_ceiling_and_caps_the_french_way(client, world):
    from tests.exchange.factories import CallFactory

    Programme.objects.get_or_create(partnership=world.partnership)  # ceiling 1 100 €
    CallFactory(partnership=world.partnership, name="Open call")
    EligibleCountry.objects.update_or_create(
        country="FR", defaults={"host_cap": Decimal("1100"), "group": "eu"}
    )
    html = client.get(reverse("exchange:landing"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "plafonné par pays d’accueil et à 1\u202f100\xa0€ par organisation" in html
    assert "France : 1\u202f100\xa0€" in html or "France: 1\u202f100\xa0€" in html
    assert "€1" not in html


def test_impact_sentence_of_the_reports_in_french():
    with translation.override("fr"):
        html = render_to_string(
            "projects/_impact_text.html",
            {
                "impact": {
                    "sent": 4,
                    "answered": 3,
                    "rate": 75,
                    "agreements": 1,
                    "joint_projects": 0,
                    "new_partners": 2,
                    "jobs": 1,
                    "investment": Decimal("25000"),
                }
            },
        )
    assert "investissement : 25\u202f000\xa0€." in html


def test_exchange_page_payment_lines_in_french(client, world):
    from exchange.models import Exchange
    from exchange.placements import services as lifecycle
    from exchange.programme_data import seed_eligible_countries
    from tests.exchange.lifecycle_factories import IBAN, advance, matched_exchange

    seed_eligible_countries(EligibleCountry)
    parties = matched_exchange(world)
    exchange = advance(parties, Exchange.Status.REPORT_VALIDATED)
    lifecycle.bank_details_save(
        exchange=exchange, account_holder="Teixits Alfa", iban=IBAN, bic="", by=parties.visitor
    )
    parties.vop.language = "fr"
    parties.vop.save(update_fields=["language"])
    client.force_login(parties.vop)
    url = reverse("exchange:exchange_detail", args=[exchange.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Enregistrer le paiement de 900,00\xa0€" in html
    lifecycle.payment_record(
        exchange=exchange, paid_on=timezone.localdate(), reference="VIR-1", by=parties.vop
    )
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "900,00\xa0€ versés le" in html and "€900.00 versés" not in html
