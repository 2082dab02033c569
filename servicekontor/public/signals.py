"""Signals of the public app.

`demo_loaded` is sent by `manage.py load_demo` (DEMO only) after the demo office is seeded,
with ``today`` (a local date): the steering apps, which the public app may not import, add
their demo data from their own side (e.g. `costs.demo.on_demo_loaded`).
"""

from django.dispatch import Signal

demo_loaded = Signal()
