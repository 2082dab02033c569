from servicekontor.queueing.tests.conftest import (  # noqa: F401
    clock_at,
    fast_passwords,
    world,
)
