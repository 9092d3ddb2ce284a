from pathlib import Path

from django.core.management.base import BaseCommand

from kaikukanta.api.schema import openapi_document


class Command(BaseCommand):
    help = "Write the OpenAPI document of the API (the committed contract) to a file or stdout."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="File to write; stdout when omitted.")

    def handle(self, *args, output=None, **options):
        document = openapi_document()
        if output:
            Path(output).write_text(document, encoding="utf-8")
            self.stdout.write(f"Wrote {output}")
        else:
            self.stdout.write(document, ending="")
