import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards.models import Card

HEADER = "identifier,site,card_type,issued_on,valid_until,renewed_on,birth_year,postcode,children\n"


def write(tmp_path, rows):
    path = tmp_path / "cards.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return str(path)


def test_cards_are_imported_with_their_old_numbers(tmp_path, world):
    site = world.alpha_site.pk
    path = write(
        tmp_path,
        [
            f"TRE-000123,{site},personal,2025-08-01,2026-08-01,,1970,33100,1\n",
            f"yh00042,{site},community,2025-09-01,2026-09-01,,,,\n",
        ],
    )
    call_command("import_cards", path, actor="national", verbosity=0)
    personal = Card.objects.get(identifier="TRE000123")
    assert personal.imported
    assert (personal.birth_year, personal.children) == (1970, 1)
    assert Card.objects.get(identifier="YH00042").card_type == "community"
    assert AuditEvent.objects.filter(action=Action.CARD_IMPORTED).count() == 2


def test_one_bad_row_imports_nothing_and_names_the_line(tmp_path, world):
    site = world.alpha_site.pk
    path = write(
        tmp_path,
        [
            f"TRE000124,{site},personal,2025-08-01,2026-08-01,,1970,33100,1\n",
            f"TRE000125,{site},personal,2025-08-01,2026-08-01,,1970,3310,1\n",
        ],
    )
    with pytest.raises(CommandError, match=r"line 3: A Finnish postcode has exactly five digits"):
        call_command("import_cards", path, actor="national", verbosity=0)
    assert Card.objects.count() == 0


def test_only_national_admins_import(tmp_path, world):
    path = write(
        tmp_path, [f"TRE000126,{world.alpha_site.pk},community,2025-08-01,2026-08-01,,,,\n"]
    )
    with pytest.raises(CommandError, match="You do not have the right"):
        call_command("import_cards", path, actor="alpha_coord", verbosity=0)


def test_a_number_is_taken_for_an_imported_one_only_once_a_card_of_its_length_is_imported(
    tmp_path, world
):
    """cards/lookups.py kind_of: a number without a valid check character is of the earlier
    registry's format only when some imported card has its length; it is answered from the
    partial index of imported numbers' lengths, not by reading every card."""
    from kaikukanta.cards.lookups import LEGACY, NO_CARD, imported_of_length, kind_of

    site = world.alpha_site.pk
    assert kind_of("QQ1234567") == NO_CARD  # no imported card yet
    call_command(
        "import_cards",
        write(tmp_path, [f"TRE-123456,{site},personal,2025-08-01,2026-08-01,,1970,33100,1\n"]),
        actor="national",
        verbosity=0,
    )
    assert kind_of("QQ1234567") == LEGACY  # the length of TRE123456
    assert kind_of("QQ12345") == NO_CARD  # no imported card has 7 characters
    assert kind_of("QQ12345678") == NO_CARD

    with transaction.atomic():
        if connection.vendor == "postgresql":  # on a table this small a scan would be cheaper
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        plan = imported_of_length(9).explain()
    assert "card_imported_length" in plan
