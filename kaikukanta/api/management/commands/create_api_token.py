"""`manage.py create_api_token USERNAME [--name NAME]`: make an API token acting as a user with venue
roles, and print it (it is shown this once; only its hash is stored)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaikukanta.api.services import create_api_token
from kaikukanta.core.errors import DomainError


class Command(BaseCommand):
    help = "Make an API token for a user with venue roles and print it (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="Command line")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as error:
            raise CommandError(f"No user is called {username}.") from error
        try:
            _token, secret = create_api_token(actor=None, user=user, name=name)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(secret)
