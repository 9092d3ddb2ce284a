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
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import QueryDict

COUNT_LIMIT = 10_000


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
    def __init__(self, queryset: QuerySet, ordering: str, *, per_page: int = 50) -> None:
        """`ordering` is one column, "-column" for newest first; the primary key breaks ties."""
        self.descending = ordering.startswith("-")
        self.column = ordering.lstrip("-")
        self.field = queryset.model._meta.get_field(self.column)
        self.pk_field = queryset.model._meta.pk
        self.queryset = queryset
        self.per_page = per_page

    def _order(self, reverse: bool = False) -> list[str]:
        descending = self.descending != reverse
        sign = "-" if descending else ""
        return [f"{sign}{self.column}", f"{sign}pk"]

    def _beyond(self, queryset: QuerySet, cursor: str, *, backwards: bool) -> QuerySet:
        raw_value, raw_key = _decode(cursor)
        value = self.field.to_python(raw_value)
        key = self.pk_field.to_python(raw_key)
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

    def page(self, params: QueryDict) -> KeysetPage:
        """The page that `params` (the request's GET) asks for: `after` or `before` a cursor,
        `page=last`, or else the first page. A cursor that does not decode gives the first page."""
        after, before = params.get("after"), params.get("before")
        queryset = self.queryset
        invalid = False
        try:
            if after:
                items, more = self._rows(self._beyond(queryset, after, backwards=False))
                has_next, has_previous = more, True
            elif before:
                items, more = self._rows(
                    self._beyond(queryset, before, backwards=True), reverse=True
                )
                has_next, has_previous = True, more
            elif params.get("page") == "last":
                items, more = self._rows(queryset, reverse=True)
                has_next, has_previous = False, more
            else:
                items, more = self._rows(queryset)
                has_next, has_previous = more, False
        except (ValueError, ValidationError, binascii.Error, UnicodeDecodeError):
            invalid = True
            items, more = self._rows(queryset)
            has_next, has_previous = more, False
        count = queryset.order_by()[: COUNT_LIMIT + 1].count()
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
