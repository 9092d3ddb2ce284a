import datetime as dt

from django.core import mail
from django.core.management import call_command

from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards.reminders import send_expiry_reminders
from kaikukanta.cards.services import issue_card, issue_community_card

from ..conftest import HELSINKI, holder, on_day


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(7), tzinfo=HELSINKI)


def expiring_cards(world, count=2):
    # Issued a year before 1.7.2026: valid until 1.7.2026, within 30 days of 15.6.2026.
    with on_day(dt.date(2025, 7, 1)):
        return [
            issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
            for _ in range(count)
        ]


def with_email(world):
    for name in ("alpha_distributor", "alpha_other_distributor", "beta_distributor", "national"):
        user = getattr(world, name)
        user.email = f"{user.username}@example.org"
        user.save()


def test_staff_are_told_how_many_cards_expire_with_a_link_and_no_numbers(world):
    with_email(world)
    cards = expiring_cards(world)
    issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())  # not soon
    with on_day(dt.date(2025, 7, 1)):
        issue_community_card(actor=world.alpha_distributor, site=world.alpha_site)  # no reminder
    assert send_expiry_reminders(now=at(dt.date(2026, 6, 15))) == 1
    [message] = mail.outbox
    assert message.to == ["alpha_dist@example.org"]  # only the site's own staff
    assert "2 korttia" in message.subject  # in Finnish
    assert f"/cards/?status=expiring&card_type=personal&site={world.alpha_site.pk}" in message.body
    for card in cards:
        assert card.identifier not in message.body
        assert card.display_identifier not in message.body
    event = AuditEvent.objects.get(action=Action.REMINDER_SENT)
    assert event.object_id == str(world.alpha_distributor.pk)
    assert event.data == {"sites": 1, "cards": 2}


def test_at_most_one_email_a_week(world):
    with_email(world)
    expiring_cards(world)
    sent = [
        send_expiry_reminders(now=at(dt.date(2026, 6, 15) + dt.timedelta(days=d))) for d in range(9)
    ]
    assert sent == [1, 0, 0, 0, 0, 0, 0, 1, 0]
    assert len(mail.outbox) == 2


def test_no_email_without_expiring_cards_or_an_address(world):
    expiring_cards(world)
    assert send_expiry_reminders(now=at(dt.date(2026, 6, 15))) == 0  # nobody has an address
    with_email(world)
    world.alpha_distributor.is_active = False
    world.alpha_distributor.save()
    assert send_expiry_reminders(now=at(dt.date(2026, 6, 15))) == 0
    assert mail.outbox == []


def test_the_command_runs(world, caplog):
    with_email(world)
    expiring_cards(world, count=1)
    with caplog.at_level("INFO", logger="kaikukanta.jobs"):
        call_command("send_expiry_reminders")
    assert "job send_expiry_reminders: 1 reminders sent" in caplog.text
    assert "1 kortti" in mail.outbox[0].subject


def test_each_person_gets_the_reminder_in_the_language_they_chose(world, client_as):
    with_email(world)
    expiring_cards(world)
    client = client_as("alpha_distributor")
    response = client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    assert response.status_code == 302
    world.alpha_distributor.refresh_from_db()
    assert world.alpha_distributor.language == "sv"
    assert AuditEvent.objects.filter(
        action=Action.OBJECT_CHANGED,
        object_id=str(world.alpha_distributor.pk),
        data__fields=["language"],
    ).exists()
    assert send_expiry_reminders(now=at(dt.date(2026, 6, 15))) == 1
    [message] = mail.outbox
    assert "2 kort" in message.subject
    assert "korttia" not in message.subject


def test_choosing_a_language_signed_out_stores_nothing(world, client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=Action.OBJECT_CHANGED).exists()


def test_the_reminder_the_landing_page_and_the_card_list_agree_on_expiring(world, client_as):
    """One rule (CardQuerySet.expiring, EXPIRING_DAYS): the card whose last day is EXPIRING_DAYS
    ahead counts in the reminder, on the distributor's page and in the list; a day later, in none."""
    from django.urls import reverse

    from kaikukanta.cards.models import Card
    from kaikukanta.cards.querysets import EXPIRING_DAYS
    from kaikukanta.cards.reminders import expiring_counts

    from ..conftest import TODAY

    last, later = expiring_cards(world)
    Card.objects.filter(pk=last.pk).update(valid_until=TODAY + dt.timedelta(days=EXPIRING_DAYS))
    Card.objects.filter(pk=later.pk).update(
        valid_until=TODAY + dt.timedelta(days=EXPIRING_DAYS + 1)
    )
    assert expiring_counts(TODAY) == {world.alpha_site.pk: 1}
    distributor = client_as("alpha_distributor")
    landing = distributor.get(reverse("web:distributor"))
    assert landing.context["expiring_count"] == 1
    assert [card.pk for card in landing.context["expiring_cards"]] == [last.pk]
    listed = distributor.get(reverse("web:cards"), {"status": "expiring"}).content.decode()
    assert last.display_identifier in listed
    assert later.display_identifier not in listed


def test_the_reminder_commands_help_tells_the_expiring_days(monkeypatch):
    """The command's help names EXPIRING_DAYS, not a number of its own."""
    import importlib

    from kaikukanta.cards import querysets
    from kaikukanta.cards.management.commands import send_expiry_reminders as command

    monkeypatch.setattr(querysets, "EXPIRING_DAYS", 21)
    help_text = importlib.reload(command).Command.help
    monkeypatch.undo()
    importlib.reload(command)
    assert "within 21 days" in help_text
