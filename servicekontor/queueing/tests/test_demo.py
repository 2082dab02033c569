from servicekontor.queueing.demo import DEMO_VISITS, seed_demo_queue
from servicekontor.queueing.models import Visit


def test_demo__seed_demo_queue__idempotent_and_mixed(world):
    seed_demo_queue(office=world.office)
    seed_demo_queue(office=world.office)

    waiting = Visit.objects.filter(office=world.office, state="waiting")
    assert waiting.count() == DEMO_VISITS
    assert {v.service.agency_id for v in waiting} == {world.skatteverket.pk, world.fk.pk}
    assert all(v.events.get().at == v.arrived_at for v in waiting)
