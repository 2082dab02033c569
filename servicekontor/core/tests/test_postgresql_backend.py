"""`core.postgresql` (decision 0092): a write sent later goes out in front of whatever the
connection sends next, so nothing the transaction does is reordered."""

import pytest
from django.db import connection, transaction

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _rows() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT x FROM peakrt_later ORDER BY x", [])
        return [r[0] for r in cursor.fetchall()]


@pytest.fixture
def table():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE peakrt_later (x integer)")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE peakrt_later")


def _later(x: int) -> None:
    connection.write_later("INSERT INTO peakrt_later (x) VALUES (%s)", [x])  # type: ignore[attr-defined]


def test_write_later__read_after_it_in_the_transaction__sees_it(table):
    with transaction.atomic():
        _rows()  # the transaction has begun
        _later(1)
        assert _rows() == [1]
    assert _rows() == [1]


def test_write_later__sent_with_the_commit(table):
    with transaction.atomic():
        _rows()
        _later(1)
        _later(2)
        assert connection._later  # type: ignore[attr-defined]
    assert not connection._later  # type: ignore[attr-defined]
    assert _rows() == [1, 2]


def test_write_later__rolled_back_savepoint__takes_it_with_it(table):
    with transaction.atomic():
        _rows()
        _later(1)  # before the savepoint: kept
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            _later(2)  # inside it: rolled back with it
            raise ZeroDivisionError
    assert _rows() == [1]


def test_write_later__transaction_rolled_back__nothing_written(table):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        _rows()
        _later(1)
        raise ZeroDivisionError
    assert not connection._later  # type: ignore[attr-defined]
    assert _rows() == []


def test_write_later__outside_a_transaction__now(table):
    _later(1)
    assert not connection._later  # type: ignore[attr-defined]
    assert _rows() == [1]


def test_opening__begin_with_the_first_statement__one_transaction(table):
    """The BEGIN sent in front of the first statement opens the block the rest runs in: a
    rollback takes the first statement's write too."""
    from servicekontor.queueing.sql import execute_opening

    with pytest.raises(ZeroDivisionError), transaction.atomic():
        with connection.cursor() as cursor:
            execute_opening(cursor, "INSERT INTO peakrt_later (x) VALUES (%s) RETURNING x", [7])
            assert cursor.fetchone() == (7,)
        assert connection.connection.autocommit  # psycopg sent no BEGIN of its own
        _later(8)
        raise ZeroDivisionError
    assert _rows() == []
    assert connection.get_autocommit()
