"""Amounts written as each language writes them (Babel, CLDR): `{{ amount|money }}` gives
€1,100.00 in English, 1.100,00 € in Spanish, Catalan and Portuguese, 1 100,00 € in French."""

from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency
from django import template
from django.utils import translation

register = template.Library()

# CLDR locale used for each portal language. Portuguese uses the Spanish number symbols:
# the partnership's Portuguese documents write 1.100,00 € (CLDR pt_PT has a space).
NUMBER_LOCALES = {"en": "en_GB", "es": "es_ES", "ca": "ca_ES", "fr": "fr_FR", "pt": "es_ES"}


def money(value, currency: str = "EUR") -> str:
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    language = (translation.get_language() or "en").split("-")[0]
    return format_currency(amount, currency, locale=NUMBER_LOCALES.get(language, "en_GB"))


register.filter("money", money)
