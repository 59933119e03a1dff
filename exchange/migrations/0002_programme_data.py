from django.db import migrations


def seed(apps, schema_editor):
    from exchange.programme_data import seed_eligible_countries

    seed_eligible_countries(apps.get_model("exchange", "EligibleCountry"))


def unseed(apps, schema_editor):
    from exchange.programme_data import EU, THIRD

    apps.get_model("exchange", "EligibleCountry").objects.filter(country__in=EU + THIRD).delete()


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
