"""Trigram indexes for the directory search, on PostgreSQL only (SQLite has none and
keeps scanning, which is fine at its sizes).

Django's ``icontains`` is ``UPPER(col::text) LIKE UPPER('%term%')`` on PostgreSQL, so the
indexes are on exactly that expression: the planner uses them without any change to the
queries."""

from django.db import migrations

COLUMNS = ["legal_name", "city", "vat_number", "capabilities"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS members_org_{column}_trgm ON members_organisation "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS members_org_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("members", "0003_directory_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
