from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kaikukanta.demo.loader import DemoLoader, is_loaded, logins_table


class Command(BaseCommand):
    help = (
        "Load the demo network of the seed (Pirkanmaa's four localities and the 2024-25 pop-up venues), "
        "demo users for every role, and demo cards and uses. Does nothing if the demo is already loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-shift",
            action="store_true",
            help="Keep the seed's dates as they are instead of moving them to the current year "
            "(the 2024-25 pilots and pop-ups are then over, and the demo shows it).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even when KAIKUKANTA_DEBUG is off. The demo users' password is public: never "
            "use this on a production database.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "The demo creates users with a public password, so it loads only when "
                "KAIKUKANTA_DEBUG=1 (or with --force on a database that is not in production)."
            )
        if is_loaded():
            self.stdout.write("The demo network is already loaded.")
        else:
            self.stdout.write("Loading the demo network, users, cards and uses...")
            counts = DemoLoader(shift_years=not options["no_shift"], stdout=self.stdout).run()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {counts['cards']} cards, {counts['uses']} uses and "
                    f"{counts['group_visits']} group visits."
                )
            )
        self.stdout.write("")
        self.stdout.write(logins_table())
