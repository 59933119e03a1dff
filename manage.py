#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clamtex.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A production setting is missing (clamtex/settings.py): one line, no traceback.
        if getattr(exc, "variable", None):
            sys.exit(f"ImproperlyConfigured: {exc}")
        raise


if __name__ == "__main__":
    main()
