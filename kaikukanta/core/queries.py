"""Small helpers for the queries of the hot paths (a venue's check, a recorded use)."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

_M = TypeVar("_M", bound=models.Model)


def one_or_none(queryset: models.QuerySet[_M]) -> _M | None:
    """The row of a query on a unique key, or None. Like `first()` without its ORDER BY (the model's
    ordering, or the primary key), which on one row sorts nothing and costs a compilation of its own
    on every request."""
    return next(iter(queryset.order_by()[:1]), None)
