"""The writes of one engine step, sent together.

An engine step writes a handful of rows (the instance, task rows, timers, service calls, audit
events). Built through the ORM one by one, that is a statement compile and a round trip each,
which dominated a step's cost (bench/README.md). Here the statements are built directly from the
models' field definitions (identifiers from model metadata, every value bound as a parameter
and adapted exactly as the ORM would) and sent in one round
trip on PostgreSQL (client-side binding allows several statements per execute); on SQLite they
are executed one after another on the same connection, which costs no round trip anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model


def column_field(model: type[Model], name: str) -> tuple[str, Field[Any, Any]]:
    """The column and field behind a model field name (a reverse relation or a field without a
    column of its own is a programming error)."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise TypeError(f"{model.__name__}.{name} has no column of its own")
    return field.column, field


class Batch:
    def __init__(self) -> None:
        self.statements: list[tuple[str, list[Any]]] = []

    def __bool__(self) -> bool:
        return bool(self.statements)

    def _prep(self, field: Any, value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    def insert(self, model: type[Model], rows: Sequence[dict[str, Any]]) -> None:
        """INSERT of several rows; every row names the same fields (model field names)."""
        if not rows:
            return
        names = list(rows[0])
        columns = [column_field(model, n) for n in names]
        quote = connection.ops.quote_name
        placeholders = "(" + ", ".join(["%s"] * len(names)) + ")"
        params: list[Any] = []
        for row in rows:
            params.extend(
                self._prep(field, row[name]) for name, (_col, field) in zip(names, columns, strict=True)
            )
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c, _f in columns)}) "  # noqa: S608
            f"VALUES {', '.join([placeholders] * len(rows))}"
        )
        self.statements.append((sql, params))

    def update(self, model: type[Model], values: dict[str, Any], where: dict[str, Any]) -> None:
        """UPDATE … SET values WHERE each field equals (or, for a list/set, is in) the given value."""
        quote = connection.ops.quote_name
        sets, params = [], []
        for name, value in values.items():
            column, field = column_field(model, name)
            sets.append(f"{quote(column)} = %s")
            params.append(self._prep(field, value))
        conditions = []
        for name, value in where.items():
            column, field = column_field(model, name)
            if isinstance(value, (list, set, tuple, frozenset)):
                items = list(value)
                conditions.append(f"{quote(column)} IN ({', '.join(['%s'] * len(items))})")
                params.extend(field.get_db_prep_value(v, connection) for v in items)
            else:
                conditions.append(f"{quote(column)} = %s")
                params.append(field.get_db_prep_value(value, connection))
        sql = f"UPDATE {quote(model._meta.db_table)} SET {', '.join(sets)} WHERE {' AND '.join(conditions)}"  # noqa: S608
        self.statements.append((sql, params))

    def flush(self) -> None:
        """Execute everything collected (call inside the step's transaction)."""
        if not self.statements:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    ";\n".join(sql for sql, _p in self.statements), _flat(p for _s, p in self.statements)
                )
            else:
                for sql, params in self.statements:
                    cursor.execute(sql, params)
        self.statements.clear()


def _flat(groups: Iterable[list[Any]]) -> list[Any]:
    return [value for group in groups for value in group]
