from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clamtex.core.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Creates (or refreshes) the CLAMTEX demo partnership, members and demo accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-accounts",
            action="store_true",
            help="Seed the data only, without the demo accounts (allowed with DEBUG off).",
        )

    def handle(self, *args, **options):
        with_accounts = not options["no_accounts"]
        if with_accounts and not settings.DEBUG:
            raise CommandError(
                "Refusing to create demo accounts with a known password while DEBUG is off. "
                "Use --no-accounts to seed the data only."
            )
        result = seed_demo(with_accounts=with_accounts)
        total = sum(len(v) for v in result["members"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"CLAMTEX demo ready: {len(result['clusters'])} clusters, {total} member organisations."
            )
        )
        for email, role in result["accounts"]:
            self.stdout.write(f"  {email:36} {role}")
        if result["accounts"]:
            self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
