"""Secondary indexes built once after a bulk write instead of maintained row by row
(PostgreSQL; decisions 0028 and 0036).

A bulk write that fills a table (a simulated year into an empty log, a rebuild of the
statistics' rollups of every day they hold) costs less when the table's secondary indexes
are dropped inside the writing transaction and built after it: one sort per index instead of
one B-tree insertion per row and index. Only indexes that back no constraint and are not
unique are dropped, so the table accepts exactly what it accepted before; DDL is
transactional, so a failed write leaves them as they were. The drop takes ``ACCESS
EXCLUSIVE`` on the table until commit (readers wait for the write).
"""

from __future__ import annotations

from django.db import connection


def secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of `table`'s indexes that back no constraint and are not
    unique (PostgreSQL): the ones a bulk write may drop and build again without changing what
    the table accepts (primary keys, unique constraints and unique indexes stay in place)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
            " JOIN pg_class c ON c.oid = x.indexrelid"
            " WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)"
            " ORDER BY c.relname",
            [table],
        )
        return [(str(name), str(sql)) for name, sql in cursor.fetchall()]


def drop_secondary_indexes(table: str) -> list[str]:
    """Drop `table`'s secondary indexes (caller is atomic); returns their CREATE statements
    for `build`."""
    dropped = []
    for name, definition in secondary_indexes(table):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP INDEX "{name}"')
        dropped.append(definition)
    return dropped


def is_empty(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")
        row = cursor.fetchone()
    return bool(row and row[0])


def build(definitions: list[str]) -> None:
    """Run the CREATE INDEX statements of `drop_secondary_indexes` (caller is atomic).

    PostgreSQL builds no index on a table with deferred key checks pending (rows written
    earlier in the transaction with their triggers on): those run first, then the
    constraints are deferred again as declared."""
    if not definitions:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for definition in definitions:
            cursor.execute(definition)
