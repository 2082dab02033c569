"""The visit log's tables carry only the indexes a query uses (decision 0036): every index
left is written to on every visit change and built again after a bulk load."""

import pytest
from django.db import connection

from servicekontor.queueing.models import DeskStatusEvent, Errand, Visit, VisitEvent

# table -> the columns of each non-unique index it should have, and no other
EXPECTED = {
    Visit: {("officer_id",), ("office_id", "state", "queued_at"), ("office_id", "local_day")},
    VisitEvent: {("officer_id",), ("office_id", "at"), ("visit_id", "at")},
    Errand: {("officer_id", "recorded_at")},
    DeskStatusEvent: {("office_id", "at"), ("officer_id", "at")},
}


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(EXPECTED), ids=lambda m: m.__name__)
def test_log_tables__only_the_indexes_queries_use(model):
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    indexes = {
        tuple(c["columns"])
        for c in found.values()
        if c["index"] and not c["unique"] and not c["primary_key"]
    }

    assert indexes == EXPECTED[model]


@pytest.mark.django_db
def test_log_tables__every_foreign_key_still_checked():
    """Only indexes were dropped: the foreign-key constraints are all there."""
    with connection.cursor() as cursor:
        for model in EXPECTED:
            found = connection.introspection.get_constraints(cursor, model._meta.db_table)
            keys = {c["columns"][0] for c in found.values() if c["foreign_key"]}
            wanted = {
                f.column
                for f in model._meta.concrete_fields
                if f.is_relation and getattr(f, "db_constraint", False)
            }
            assert keys == wanted, model.__name__
