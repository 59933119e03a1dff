"""Every eligible country gets a lump-sum cap (a call cannot open otherwise): the default
figures of exchange/programme_data.py where none is set; an administrator's are kept."""

from django.db import migrations


def fill(apps, schema_editor):
    from exchange.programme_data import fill_missing_caps, seed_eligible_countries

    EligibleCountry = apps.get_model("exchange", "EligibleCountry")
    seed_eligible_countries(EligibleCountry)
    fill_missing_caps(EligibleCountry)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0004_money_path_outcomes_bank_details_exchange_window")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
