from django.db import migrations


def forwards(apps, schema_editor):
    from privacy.notice_seed import seed_notice_v1

    seed_notice_v1(apps.get_model("privacy", "PrivacyNotice"))


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_notice_consent_export")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
