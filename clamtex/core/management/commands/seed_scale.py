from django.core.management.base import BaseCommand, CommandError

from clamtex.core.scale import seed_scale


class Command(BaseCommand):
    help = (
        "Seeds a data set at the scale of the European cluster landscape (run seed_demo "
        "first so the demo accounts get roles in it). Idempotent; --scale 0.1 for a quick run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0)

    def handle(self, *args, **options):
        scale = options["scale"]
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        try:
            result = seed_scale(scale=scale, log=self.stdout.write)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for line in result["roles"]:
            self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS(f"Scale data set ready: {result['counts']}"))
