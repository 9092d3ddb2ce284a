"""Keyset pagination (web/pagination.py): walking a list page by page, forwards and backwards, shows
every row once and in order, ties on the sort column included, whether the page comes from keyset
queries or (for a small list) from its keys sorted in Python; and the two give the same pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import timezone

from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.web.pagination import KeysetPaginator

pytestmark = pytest.mark.django_db

KEYSET, SMALL_LIST = 0, 10_000  # the two ways, by the `small_list` threshold


@pytest.fixture
def events():
    start = timezone.make_aware(dt.datetime(2026, 6, 1, 12))
    # 23 events on 9 distinct times: ties that only the key can order.
    times = [start + dt.timedelta(minutes=n // 3) for n in range(23)]
    AuditEvent.objects.bulk_create(
        AuditEvent(occurred_at=time, action=Action.CARD_VIEWED) for time in times
    )
    return AuditEvent.objects.all()


def walk(queryset, ordering, small_list, *, backwards=False):
    """Every page from the first (or the last) by its next (or previous) link."""
    paginator = KeysetPaginator(queryset, ordering, per_page=5, small_list=small_list)
    page = paginator.page(QueryDict("page=last" if backwards else ""))
    pages = [page]
    while page.has_previous if backwards else page.has_next:
        link = page.previous_query if backwards else page.next_query
        page = paginator.page(QueryDict(link.lstrip("?")))
        pages.append(page)
    return pages


@pytest.mark.parametrize("small_list", [KEYSET, SMALL_LIST])
@pytest.mark.parametrize("ordering", ["-occurred_at", "occurred_at"])
def test_every_row_once_in_order_both_ways(events, ordering, small_list):
    expected = [e.pk for e in events.order_by(ordering, ordering.replace("occurred_at", "pk"))]

    forwards = walk(events, ordering, small_list)
    assert [e.pk for page in forwards for e in page] == expected
    assert [len(page) for page in forwards] == [5, 5, 5, 5, 3]
    assert not forwards[0].has_previous
    assert all(page.has_previous for page in forwards[1:])
    assert not forwards[-1].has_next

    backwards = walk(events, ordering, small_list, backwards=True)
    assert [e.pk for page in reversed(backwards) for e in page] == expected
    assert [len(page) for page in backwards] == [5, 5, 5, 5, 3]
    assert not backwards[0].has_next
    assert not backwards[-1].has_previous
    assert all(page.count == 23 and page.count_is_exact for page in forwards + backwards)


def test_both_ways_give_the_same_pages_and_links(events):
    for ordering in ["-occurred_at", "occurred_at"]:
        for keyset_page, small_page in zip(
            walk(events, ordering, KEYSET), walk(events, ordering, SMALL_LIST), strict=True
        ):
            assert list(keyset_page) == list(small_page)
            assert (keyset_page.has_next, keyset_page.has_previous) == (
                small_page.has_next,
                small_page.has_previous,
            )
            assert keyset_page.next_query == small_page.next_query
            assert keyset_page.previous_query == small_page.previous_query


@pytest.mark.parametrize("small_list", [KEYSET, SMALL_LIST])
def test_a_page_before_the_first_row_and_after_the_last_is_empty(events, small_list):
    paginator = KeysetPaginator(events, "-occurred_at", per_page=5, small_list=small_list)
    first = paginator.page(QueryDict())
    before_first = paginator.page(QueryDict(first.previous_query.lstrip("?")))
    assert list(before_first) == []
    assert not before_first.has_next
    assert not before_first.has_previous
    last = paginator.page(QueryDict("page=last"))
    after_last = paginator.page(QueryDict(last.next_query.lstrip("?")))
    assert list(after_last) == []


@pytest.mark.parametrize("small_list", [KEYSET, SMALL_LIST])
@pytest.mark.parametrize("cursor", ["not-base64!", "bm90IGpzb24", "WzFd", "WyJ4IiwgIjEiXQ"])
def test_a_broken_cursor_gives_the_first_page(events, small_list, cursor):
    paginator = KeysetPaginator(events, "-occurred_at", per_page=5, small_list=small_list)
    page = paginator.page(QueryDict(f"after={cursor}"))
    assert page.cursor_invalid
    assert list(page) == list(paginator.page(QueryDict()))


def test_filters_stay_in_the_links(events):
    paginator = KeysetPaginator(events, "-occurred_at", per_page=5)
    page = paginator.page(QueryDict("action=card.viewed&page=last"))
    assert page.first_query == "?action=card.viewed"
    assert page.last_query == "?action=card.viewed&page=last"
    assert page.previous_query.startswith("?action=card.viewed&before=")


def test_only_dates_and_numbers_are_sorted_in_python(events):
    assert KeysetPaginator(events, "-occurred_at").small_list == 10_000
    assert KeysetPaginator(events, "actor_username").small_list == 0
