"""Small helpers for the queries of the hot paths (a venue's check, a recorded use).

A check or a use runs a handful of look-ups by a unique key (the token, the venue, the caller's
roles, the card) on every request. Building such a query with the ORM costs more CPU than running it
(about 0.8 ms against 0.15 ms for a card with its region): `select_one`, `values_rows` and `insert`
build their SQL once per process from the models' own metadata, and turn rows into model instances
(with Django's own field converters) or tuples as the ORM would. Everything else keeps using the ORM.

Their statements, and the hot paths' few others (core/ratelimit.py, stats/summaries.py), run through
`hot_cursor`: on PostgreSQL a cursor that sends the parameters apart from the statement, so that
psycopg prepares a statement run five times on a connection (settings.py `prepare_threshold`) and
PostgreSQL parses and plans it once per connection, not on every request. Django's own cursors bind
parameters on the client (one statement's text for each set of values, never prepared; and no limit
of 65,535 parameters), and stay so for everything else.

The SQL is cached per process and database alias (functools.cache); the converters it keeps were
made with the connection of the thread that first built it, which only differs from another's in
settings that are the same for every thread.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import signals
from django.db.transaction import TransactionManagementError

_M = TypeVar("_M", bound=models.Model)


def one_or_none(queryset: models.QuerySet[_M]) -> _M | None:
    """The row of a query on a unique key, or None. Like `first()` without its ORDER BY (the model's
    ordering, or the primary key), which on one row sorts nothing and costs a compilation of its own
    on every request."""
    return next(iter(queryset.order_by()[:1]), None)


def hot_cursor(using: str = DEFAULT_DB_ALIAS) -> CursorWrapper:
    """A cursor for the hot paths' statements, used as `connection.cursor()` is (Django's error
    translation, query logging and thread checks included). On PostgreSQL it binds parameters on
    the server, so that its statements can be prepared (module docstring); elsewhere it is
    `connection.cursor()`."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql import base
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = base.ServerBindingCursor(connection.connection)  # type: ignore[call-arg]
        # As DatabaseWrapper.create_cursor: the connection's time zone, if it changed since.
        loader = connection.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, Format.TEXT)
        if connection.timezone != loader.timezone:
            register_tzloader(connection.timezone, cursor)
        return connection._prepare_cursor(cursor)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Part:
    """One model's columns in a select: where they start, their attribute names, converters."""

    model: type[models.Model]
    start: int
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]
    field: models.ForeignKey | None  # the foreign key that joins it (None: the main model)
    pk_index: int

    def build(self, row: Sequence[Any], connection: Any) -> models.Model | None:
        values = list(row[self.start : self.start + len(self.attnames)])
        for index, functions, expression in self.converters:
            value = values[index]
            for function in functions:
                value = function(value, expression, connection)
            values[index] = value
        if values[self.pk_index] is None:  # no joined row
            return None
        return self.model.from_db(connection.alias, list(self.attnames), values)


def _part(
    connection: Any, model: type[models.Model], alias: str, start: int, field: Any
) -> tuple[_Part, list[str]]:
    # In the model's own order: from_db then builds the instance from positional values.
    fields = list(model._meta.concrete_fields)
    columns = []
    converters = []
    for index, model_field in enumerate(fields):
        column = model_field.get_col(alias)
        columns.append(f"{_quote(connection, alias)}.{_quote(connection, model_field.column)}")
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converters.append((index, tuple(functions), column))
    pk_index = fields.index(model._meta.pk)
    part = _Part(model, start, tuple(f.attname for f in fields), tuple(converters), field, pk_index)
    return part, columns


def _in_range(connection: Any, field: models.Field, value: int) -> bool:
    """Whether an integer column can hold `value` (an id typed as 99999999999999999999 matches
    no row, as in the ORM's lookups, rather than failing in the database driver)."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    internal_type = target.get_internal_type()
    if internal_type not in connection.ops.integer_field_ranges:
        return True
    low, high = connection.ops.integer_field_range(internal_type)
    return (low is None or value >= low) and (high is None or value <= high)


def _quote(connection: Any, name: str | None) -> str:
    assert name is not None  # a concrete field's column, a model's table
    return str(connection.ops.quote_name(name))


def _field(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


@functools.cache
def _select_sql(
    alias: str,
    model: type[models.Model],
    names: tuple[str, ...],
    related: tuple[str, ...],
    lock: bool,
) -> tuple[str, list[_Part], list[models.Field]]:
    connection = connections[alias]
    table = model._meta.db_table
    main, columns = _part(connection, model, table, 0, None)
    parts = [main]
    joins = []
    for number, name in enumerate(related):
        field = model._meta.get_field(name)
        if not isinstance(field, models.ForeignKey):
            raise TypeError(f"{model.__name__}.{name} is not a foreign key")
        target = field.related_model
        join_alias = f"r{number}"
        part, more = _part(connection, target, join_alias, len(columns), field)
        parts.append(part)
        columns += more
        target_column = field.target_field.column
        joins.append(
            f" LEFT OUTER JOIN {_quote(connection, target._meta.db_table)} "
            f"{_quote(connection, join_alias)} ON ({_quote(connection, table)}."
            f"{_quote(connection, field.column)} = {_quote(connection, join_alias)}."
            f"{_quote(connection, target_column)})"
        )
    where = []
    fields = []
    for name in names:
        field = _field(model, name)
        fields.append(field)
        where.append(f"{_quote(connection, table)}.{_quote(connection, field.column)} = %s")
    sql = (
        f"SELECT {', '.join(columns)} FROM {_quote(connection, table)}{''.join(joins)}"  # noqa: S608 (names from the model)
        f" WHERE {' AND '.join(where) or 'TRUE'} LIMIT 1"
    )
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
        if connection.features.has_select_for_update_of:
            sql += f" OF {_quote(connection, table)}"
    return sql, parts, fields


def select_one(
    model: type[_M],
    *,
    related: tuple[str, ...] = (),
    lock: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    **equal: Any,
) -> _M | None:
    """The one row of `model` whose fields equal `equal` (a unique key; a foreign key by its id or
    its instance), with the rows of the foreign keys in `related` joined and cached as
    `select_related` does, or None. `lock`: `FOR UPDATE OF` the row, inside a transaction, as
    `select_for_update(of=("self",))`. The same answer as
    `one_or_none(model.objects.select_related(*related).filter(**equal))`, built once per process
    (only the forward side of a joined one-to-one field is cached)."""
    connection = connections[using]
    if lock and connection.features.has_select_for_update and connection.get_autocommit():
        # As select_for_update(): a lock outside a transaction would end with the statement.
        raise TransactionManagementError(
            "select_one(lock=True) cannot be used outside of a transaction."
        )
    names = tuple(equal)
    sql, parts, fields = _select_sql(using, model, names, related, lock)
    params = []
    for field, value in zip(fields, equal.values(), strict=True):
        if value is None:
            raise ValueError(f"select_one compares {field.name} with =, not with None")
        if isinstance(value, models.Model):
            target = field.target_field if isinstance(field, models.ForeignKey) else field
            value = getattr(value, target.attname)
            if value is None:
                raise ValueError(f"select_one: the {field.name} given is not saved")
        if isinstance(value, int) and not _in_range(connection, field, value):
            return None  # as the ORM: no row has a key beyond its column's range
        params.append(field.get_db_prep_value(value, connection))
    with hot_cursor(using) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    instance = parts[0].build(row, connection)
    for part in parts[1:]:
        assert part.field is not None
        part.field.set_cached_value(instance, part.build(row, connection))  # type: ignore[arg-type]
    return instance  # type: ignore[return-value]


_MARK = -7_302_519_864_117  # stands for the parameter while a query is compiled


@functools.cache
def _values_sql(alias: str, build: Callable[[int], models.QuerySet]) -> tuple[str, tuple[Any, ...]]:
    queryset = build(_MARK)
    if queryset._iterable_class is not models.query.ValuesListIterable:
        raise TypeError("values_rows runs values_list() querysets")
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    if compiler.get_converters([column for column, _sql, _alias in compiler.select]):
        raise TypeError("values_rows runs querysets whose values need no conversion (ints, text)")
    if _MARK not in params:
        raise TypeError("values_rows: the query does not use its parameter")
    return sql, tuple(params)


def values_rows(
    build: Callable[[int], models.QuerySet], value: int, *, using: str = DEFAULT_DB_ALIAS
) -> list[tuple[Any, ...]]:
    """The rows of `build(value)`, a `values_list()` queryset with one integer parameter (a user's
    id): what `list(build(value))` gives, its SQL compiled once per process."""
    sql, template = _values_sql(using, build)
    params = [value if param == _MARK else param for param in template]
    with hot_cursor(using) as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


@functools.cache
def _insert_sql(
    alias: str, model: type[models.Model], with_pk: bool
) -> tuple[str, list[Any], bool]:
    connection = connections[alias]
    meta = model._meta
    fields = [field for field in meta.concrete_fields if with_pk or not field.primary_key]
    returning = not with_pk and connection.features.can_return_columns_from_insert
    sql = (
        f"INSERT INTO {_quote(connection, meta.db_table)} "  # noqa: S608 (names from the model)
        f"({', '.join(_quote(connection, field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    if returning:
        sql += f" RETURNING {_quote(connection, meta.pk.column)}"
    return sql, fields, returning


@functools.cache
def _plain_insert(model: type[models.Model]) -> bool:
    """Whether `insert` can save a new row of `model` the short way: nothing that `save()` does
    beyond the INSERT and its signals (an own `save`, parents, generated or database-computed
    fields, `order_with_respect_to`)."""
    meta = model._meta
    return (
        model.save is models.Model.save
        and not meta.parents
        and not meta.order_with_respect_to
        and list(meta.db_returning_fields) == [meta.pk]
        and not any(getattr(field, "generated", False) for field in meta.concrete_fields)
    )


def insert(instance: _M, *, using: str = DEFAULT_DB_ALIAS) -> _M:
    """Save a new row, as `instance.save(force_insert=True)` does (its fields' `pre_save`, its
    `pre_save` and `post_save` signals, an error marking the transaction for rollback), with the
    INSERT built once per process: `insert(Model(**values))` for `Model.objects.create(**values)`
    on the hot paths. What the short way does not cover (`_plain_insert`, or a value that is an
    expression) goes through `save()`."""
    model = type(instance)
    if not _plain_insert(model) or any(
        hasattr(getattr(instance, field.attname), "resolve_expression")
        for field in model._meta.concrete_fields
    ):
        instance.save(force_insert=True, using=using)
        return instance
    instance._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    connection = connections[using]
    signals.pre_save.send(
        sender=model, instance=instance, raw=False, using=using, update_fields=None
    )
    sql, fields, returning = _insert_sql(using, model, instance.pk is not None)
    with transaction.mark_for_rollback_on_error(using=using):
        params = [
            field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
        ]
        with hot_cursor(using) as cursor:
            cursor.execute(sql, params)
            if instance.pk is None:
                pk = model._meta.pk
                value = (
                    cursor.fetchone()[0]
                    if returning
                    else connection.ops.last_insert_id(
                        cursor, model._meta.db_table, pk.column or ""
                    )
                )
                setattr(instance, pk.attname, value)
    # As in Model.save_base: the receivers run after the INSERT's own error handling.
    instance._state.adding = False
    instance._state.db = using
    signals.post_save.send(
        sender=model, instance=instance, created=True, update_fields=None, raw=False, using=using
    )
    return instance
