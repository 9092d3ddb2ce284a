"""`manage.py create_api_token USERNAME [--name NAME] [--venue ID ...]`: make an API token acting as a
user with venue roles, for the venues named (default: those where the user is staff), and print it (it
is shown this once; only its hash is stored)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaikukanta.api.services import create_api_token
from kaikukanta.core.errors import DomainError
from kaikukanta.network.models import Venue


class Command(BaseCommand):
    help = "Make an API token for a user with venue roles and print it (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="Command line")
        parser.add_argument("--venue", type=int, action="append", dest="venues", default=None)

    def handle(
        self, *args: Any, username: str, name: str, venues: list[int] | None, **options: Any
    ) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as error:
            raise CommandError(f"No user is called {username}.") from error
        try:
            chosen = None if venues is None else list(Venue.objects.filter(pk__in=venues))
            _token, secret = create_api_token(actor=None, user=user, name=name, venues=chosen)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(secret)
