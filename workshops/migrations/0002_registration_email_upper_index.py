"""An index for finding a person's registrations by address, on PostgreSQL only.

A registration is a person's when it is theirs (user), made by them (registered_by), or
made for their address before they had an account: ``email__iexact``, which is
``UPPER(email::text) = UPPER('…')`` on PostgreSQL. Without an index on exactly that
expression the SME's home page and "my registrations" scanned all 500,000 registrations
(0.2-0.3 s per query, issue 11). SQLite keeps scanning, which is fine at its sizes."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS workshops_registration_email_upper "
        "ON workshops_registration ((UPPER(email::text)))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS workshops_registration_email_upper")


class Migration(migrations.Migration):
    dependencies = [("workshops", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
