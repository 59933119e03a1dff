"""Default ClusterXchange programme data (editable by administrators afterwards):
the COSME eligible countries (2018 list) and the Erasmus for Young Entrepreneurs
monthly amounts as lump-sum caps per host country."""

from decimal import Decimal

from django.db import migrations

EU = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
THIRD = "IS AL BA XK ME MK RS TR AM MD UA".split()
CAPS = {
    "ES": 830, "PT": 780, "FR": 900, "IT": 900, "DE": 830, "BE": 830, "CZ": 610, "SK": 610,
    "TR": 750, "DK": 1100, "AL": 530, "MD": 530, "UA": 530,
}


def seed(apps, schema_editor):
    EligibleCountry = apps.get_model("exchange", "EligibleCountry")
    for group, codes in (("eu", EU), ("third", THIRD)):
        for code in codes:
            cap = CAPS.get(code)
            EligibleCountry.objects.update_or_create(
                country=code,
                defaults={"group": group, "host_cap": Decimal(cap) if cap is not None else None},
            )


def unseed(apps, schema_editor):
    apps.get_model("exchange", "EligibleCountry").objects.filter(country__in=EU + THIRD).delete()


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
