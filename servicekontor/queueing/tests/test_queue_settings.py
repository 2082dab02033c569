from servicekontor.network.models import Office
from servicekontor.queueing.models import QueueSettings


def test_queue_settings__for_office__reads_the_row_or_gives_unsaved_defaults(world):
    QueueSettings.objects.create(office=world.office, max_calls=5)

    assert QueueSettings.for_office(world.office).max_calls == 5
    defaults = QueueSettings.for_office(world.other_office)
    assert (defaults.pk, defaults.max_calls) == (None, 3)


def test_queue_settings__for_office__uses_the_settings_loaded_with_the_office(
    world, django_assert_num_queries
):
    QueueSettings.objects.create(office=world.office, max_calls=5)
    offices = Office.objects.select_related("queue_settings")
    office = offices.get(pk=world.office.pk)
    other = offices.get(pk=world.other_office.pk)

    with django_assert_num_queries(0):
        assert QueueSettings.for_office(office).max_calls == 5
        assert QueueSettings.for_office(other).max_calls == 3
