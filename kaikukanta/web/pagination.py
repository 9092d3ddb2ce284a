"""Keyset pagination for the long lists (cards, uses, the audit trail): every page, the first, the last
or one in the middle, costs the same, because a page starts from the key of the row before it instead
of skipping rows with OFFSET.

A list is ordered by one column and the primary key, both in the same direction (newest first), and a
page link carries the position of its edge row as an opaque cursor (the column's value and the key;
never a card number). The query for "the rows after (v, k)" is written as
``col <= v AND (col < v OR (col = v AND pk < k))`` rather than as an OR alone, so that an index on
(col, pk) serves it on PostgreSQL and SQLite alike. (The keyset packages on PyPI put NULLS LAST and
OR-ed conditions in the query, which no index serves.)

Totals are counted only up to COUNT_LIMIT: an exact count of millions of rows would cost more than the
page itself, and no one reads a list of more than ten thousand rows to the end.

The count reads the keys of the first COUNT_LIMIT + 1 rows in no order, which the database answers in
whatever way is cheapest (on PostgreSQL often a bitmap of two indexes). A list of at most SMALL_LIST
rows, whose keys that read all of, is then paged from them: their sort values are read by key, sorted
here, and the page's rows fetched by key. Walking an index in the list's order and skipping rows that
do not match is what a keyset query does; PostgreSQL chooses it when it expects matches spread evenly
over the index, and when they are not (a small region's uses all in the last year, a rare kind of use,
a distributor site opened lately) it walks past millions of rows. Both ways give the same pages.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

COUNT_LIMIT = 10_000
SMALL_LIST = COUNT_LIMIT


@dataclass
class KeysetPage:
    items: list[Any]
    has_next: bool
    has_previous: bool
    next_query: str
    previous_query: str
    first_query: str
    last_query: str
    count: int
    count_is_exact: bool
    cursor_invalid: bool = False

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _encode(values: list[str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode(cursor: str) -> list[str]:
    padded = cursor + "=" * (-len(cursor) % 4)
    values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    if not isinstance(values, list) or len(values) != 2:
        raise ValueError(cursor)
    return [str(value) for value in values]


class KeysetPaginator:
    def __init__(
        self,
        queryset: QuerySet,
        ordering: str,
        *,
        per_page: int = 50,
        small_list: int = SMALL_LIST,
    ) -> None:
        """`ordering` is one column, "-column" for newest first; the primary key breaks ties. A list
        of at most `small_list` rows is paged from its keys (0: never)."""
        self.descending = ordering.startswith("-")
        self.column = ordering.lstrip("-")
        self.field = queryset.model._meta.get_field(self.column)
        self.pk_field = queryset.model._meta.pk
        self.queryset = queryset
        self.per_page = per_page
        # Sorted here, the values must sort as the database sorts them: dates and numbers do, text
        # (by the database's collation) may not.
        sortable = isinstance(self.field, models.DateField | models.IntegerField)
        self.small_list = min(small_list, COUNT_LIMIT) if sortable else 0

    def _order(self, reverse: bool = False) -> list[str]:
        descending = self.descending != reverse
        sign = "-" if descending else ""
        return [f"{sign}{self.column}", f"{sign}pk"]

    def _position(self, cursor: str) -> tuple[Any, Any]:
        """The (value, key) a cursor names; ValueError and the like when it names none."""
        raw_value, raw_key = _decode(cursor)
        value = self.field.to_python(raw_value)
        if isinstance(value, dt.datetime) and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value, self.pk_field.to_python(raw_key)

    def _beyond(self, queryset: QuerySet, cursor: str, *, backwards: bool) -> QuerySet:
        value, key = self._position(cursor)
        # Going forwards in a descending list means smaller values, and so on.
        smaller = self.descending != backwards
        near, strict, pk_strict = ("lte", "lt", "lt") if smaller else ("gte", "gt", "gt")
        return queryset.filter(**{f"{self.column}__{near}": value}).filter(
            Q(**{f"{self.column}__{strict}": value})
            | Q(**{self.column: value, f"pk__{pk_strict}": key})
        )

    def _cursor(self, row: Any) -> str:
        value = self.field.value_to_string(row)
        return _encode([value, str(row.pk)])

    def ordered(self) -> QuerySet:
        """The whole list in the order its pages show it."""
        return self.queryset.order_by(*self._order())

    def cursor_for(self, row: Any) -> str:
        """The cursor of `row`, as a page whose edge it is would put in its links: `?after=` it
        shows the rows that follow it in `ordered()`."""
        return self._cursor(row)

    def _rows(self, queryset: QuerySet, *, reverse: bool = False) -> tuple[list[Any], bool]:
        rows = list(queryset.order_by(*self._order(reverse))[: self.per_page + 1])
        items = rows[: self.per_page]
        return (items[::-1] if reverse else items), len(rows) > self.per_page

    def _keyset_page(self, params: QueryDict) -> tuple[list[Any], bool, bool]:
        """(items, has_next, has_previous) by keyset queries."""
        after, before = params.get("after"), params.get("before")
        queryset = self.queryset
        if after:
            items, more = self._rows(self._beyond(queryset, after, backwards=False))
            return items, more, True
        if before:
            items, more = self._rows(self._beyond(queryset, before, backwards=True), reverse=True)
            return items, True, more
        if params.get("page") == "last":
            items, more = self._rows(queryset, reverse=True)
            return items, False, more
        items, more = self._rows(queryset)
        return items, more, False

    def _small_list_page(self, pks: list[Any], params: QueryDict) -> tuple[list[Any], bool, bool]:
        """(items, has_next, has_previous) of a small list whose keys are `pks`, from their sort
        values read by key and sorted here: the same pages, flags included, as `_keyset_page`."""
        after, before = params.get("after"), params.get("before")
        keys = (
            list(
                self.queryset.select_related(None)
                .filter(pk__in=pks)
                .order_by()
                .values_list(self.column, "pk")
            )
            if pks
            else []
        )
        keys.sort(reverse=self.descending)  # the list's order: column, then key, same direction
        per_page = self.per_page

        def beyond(key: tuple[Any, Any], position: tuple[Any, Any]) -> bool:
            return key < position if self.descending else key > position

        if after:
            position = self._position(after)
            start = next((i for i, key in enumerate(keys) if beyond(key, position)), len(keys))
            shown = keys[start : start + per_page]
            return self._fetch([pk for _value, pk in shown]), len(keys) - start > per_page, True
        if before:
            position = self._position(before)
            end = next(
                (i for i, key in enumerate(keys) if key == position or beyond(key, position)),
                len(keys),
            )
            shown = keys[max(end - per_page, 0) : end]
            return self._fetch([pk for _value, pk in shown]), True, end > per_page
        if params.get("page") == "last":
            shown = keys[-per_page:]
            return self._fetch([pk for _value, pk in shown]), False, len(keys) > per_page
        shown = keys[:per_page]
        return self._fetch([pk for _value, pk in shown]), len(keys) > per_page, False

    def _fetch(self, pks: list[Any]) -> list[Any]:
        """The rows with these keys, in this order (a row deleted meanwhile is left out)."""
        rows = {row.pk: row for row in self.queryset.filter(pk__in=pks).order_by()}
        return [rows[pk] for pk in pks if pk in rows]

    def page(self, params: QueryDict) -> KeysetPage:
        """The page that `params` (the request's GET) asks for: `after` or `before` a cursor,
        `page=last`, or else the first page. A cursor that does not decode gives the first page."""
        # Keys only, without the joins of select_related: an index can give them.
        pks = list(
            self.queryset.select_related(None)
            .order_by()
            .values_list("pk", flat=True)[: COUNT_LIMIT + 1]
        )
        count = len(pks)
        page: Callable[[QueryDict], tuple[list[Any], bool, bool]] = self._keyset_page
        if count <= self.small_list:
            page = functools.partial(self._small_list_page, pks)
        invalid = False
        try:
            items, has_next, has_previous = page(params)
        except (ValueError, ValidationError, binascii.Error, UnicodeDecodeError):
            invalid = True
            items, has_next, has_previous = page(QueryDict())
        return KeysetPage(
            items=items,
            has_next=has_next and bool(items),
            has_previous=has_previous and bool(items),
            next_query=self._query(params, after=self._cursor(items[-1])) if items else "",
            previous_query=self._query(params, before=self._cursor(items[0])) if items else "",
            first_query=self._query(params),
            last_query=self._query(params, page="last"),
            count=min(count, COUNT_LIMIT),
            count_is_exact=count <= COUNT_LIMIT,
            cursor_invalid=invalid,
        )

    @staticmethod
    def _query(params: QueryDict, **position: str) -> str:
        query = params.copy()
        for name in ("after", "before", "page"):
            query.pop(name, None)
        for name, value in position.items():
            query[name] = value
        return "?" + query.urlencode() if query else "?"
