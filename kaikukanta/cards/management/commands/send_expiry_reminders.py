"""Run daily: e-mail each distributor site's staff, at most once a week, how many of their site's
cards expire within 30 days (cards/reminders.py)."""

from django.core.management.base import BaseCommand

from kaikukanta.cards.reminders import send_expiry_reminders


class Command(BaseCommand):
    help = (
        "E-mail distributor sites' staff how many of their site's cards expire within 30 days, "
        "with a link to that list; each person at most once a week. Meant to run daily."
    )

    def handle(self, *args, **options):
        sent = send_expiry_reminders()
        self.stdout.write(f"{sent} reminder(s) sent.")
