"""One rule for "events still to come" (EventQuerySet.upcoming): the box office, the venue's event
list and the API's event list show exactly the events it gives."""

import datetime as dt

from django.test import Client
from django.urls import reverse

from kaikukanta.api.services import create_api_token
from kaikukanta.events.models import Event

from ..conftest import HELSINKI, TODAY


def test_pages_and_api_list_the_events_upcoming_gives(world, client_as):
    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=HELSINKI)

    yesterday, tomorrow = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)
    starts = {
        "late yesterday": at(yesterday, 23, 30),  # 20.30 UTC: yesterday in Helsinki too
        "just after midnight": at(TODAY, 0, 30),  # 21.30 UTC yesterday, but today here
        "this morning": at(TODAY, 9),  # begun already, still today's
        "tomorrow": at(tomorrow, 18),
        "no time": None,
    }
    for title, start in starts.items():
        Event.objects.create(venue=world.alpha_venue, title=title, starts_at=start)
    Event.objects.create(venue=world.beta_venue, title="elsewhere", starts_at=at(tomorrow, 18))

    expected = {"just after midnight", "this morning", "tomorrow", "no time"}
    upcoming = Event.objects.filter(venue=world.alpha_venue).upcoming(TODAY)
    assert {event.title for event in upcoming} == expected
    assert {e.title for e in Event.objects.filter(venue=world.alpha_venue).upcoming(tomorrow)} == {
        "tomorrow",
        "no time",
    }

    clerk = client_as("alpha_venue_staff")
    events_page = clerk.get(reverse("web:venue_events"))
    assert {event.title for event in events_page.context["events"]} == expected
    box_office = clerk.get(reverse("web:venue"))
    assert {event.title for event in box_office.context["events"]} == expected

    _token, secret = create_api_token(
        actor=world.alpha_venue_staff, user=world.alpha_venue_staff, name="Kassa"
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    listed = api.get("/api/v1/events", {"venue": world.alpha_venue.pk})
    assert listed.status_code == 200
    assert {row["title"] for row in listed.json()} == expected
