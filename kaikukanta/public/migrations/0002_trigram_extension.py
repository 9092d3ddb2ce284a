"""pg_trgm on PostgreSQL, for the catalogue's search that tolerates a typo (public/catalogue.py).
Nothing on SQLite. pg_trgm is a trusted extension: the database's owner may create it."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("public", "0001_legal_pages")]

    operations = [TrigramExtension()]
