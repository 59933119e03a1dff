"""Amounts written as each language writes them (Babel, CLDR): `{{ amount|money }}` gives
€1,100.00 in English, 1.100,00 € in Spanish, Catalan and Portuguese, 1 100,00 € in French
(with the narrow no-break space CLDR gives). `{{ cap|money_whole }}` leaves out the cents of
a whole amount (caps and ceilings: 1 100 €).

Inside a translated sentence, pass the formatted amount in, so that the sentence carries
no currency sign of its own: `{% blocktranslate with amount=x|money %}… {{ amount }} …`;
in Python, `money(x)` while the reader's language is active."""

from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.numbers import format_currency
from django import template
from django.utils import translation

register = template.Library()

# CLDR locale used for each portal language. Portuguese uses the Spanish number symbols:
# the partnership's Portuguese documents write 1.100,00 € (CLDR pt_PT has a space).
NUMBER_LOCALES = {"en": "en_GB", "es": "es_ES", "ca": "ca_ES", "fr": "fr_FR", "pt": "es_ES"}


def money(value, currency: str = "EUR", *, whole: bool = False) -> str:
    """The amount in the active language; `whole`: without the cents when there are none."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    language = (translation.get_language() or "en").split("-")[0]
    locale = NUMBER_LOCALES.get(language, "en_GB")
    if whole and amount == amount.to_integral_value():
        pattern = Locale.parse(locale).currency_formats["standard"].pattern
        return format_currency(
            amount,
            currency,
            format=pattern.replace(".00", ""),
            locale=locale,
            currency_digits=False,
        )
    return format_currency(amount, currency, locale=locale)


def money_whole(value, currency: str = "EUR") -> str:
    return money(value, currency, whole=True)


register.filter("money", money)
register.filter("money_whole", money_whole)
