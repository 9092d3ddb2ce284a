"""The demo's stand-in for a phone: print the code a demo user's authenticator app would show now.

Only with KAIKUKANTA_DEBUG=1: it reads the authenticator's key, which outside a demo is the person's
secret. Nothing in the login itself is different for the demo."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Print the current two-factor code of a demo user's authenticator (the one being set up, "
        "or the confirmed one). Demo only: refused unless KAIKUKANTA_DEBUG=1."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "demo_code reads an authenticator's secret: only with KAIKUKANTA_DEBUG=1."
            )
        device = (
            TOTPDevice.objects.filter(user__username=options["username"]).order_by("-pk").first()
        )
        if device is None:
            raise CommandError(
                f"{options['username']} has no authenticator yet: log in as them first, so that "
                "the setup page makes one."
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        if totp.t() <= device.last_t:
            # This step's code has been used (a code works once): the next step's is accepted too.
            totp.time += device.step * (device.last_t + 1 - totp.t())
        self.stdout.write(f"{totp.token():0{device.digits}d}")
