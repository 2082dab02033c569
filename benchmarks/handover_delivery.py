"""Handover webhooks to a local receiver: how many per second, and how long from finish to
delivery (issue 19). All traffic goes to 127.0.0.1.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_i19_bench \\
      .venv/bin/python benchmarks/handover_delivery.py [--outbox 2000] [--finishes 300]
      [--desks 4] [--background-desks 4] [--seconds 60]

Drops and recreates the database of DATABASE_URL (it must not be one you need), migrates it,
builds one office with desks and one partner agency whose endpoint is a receiver in this
process (ThreadingHTTPServer on 127.0.0.1) that verifies every request with the
`standardwebhooks` library, as an agency's system would.

1. Throughput: an outbox of --outbox undelivered handovers is sent by 1, 2 and 4 senders
   (`delivery.deliver_due`, as `manage.py deliver_handovers`); handovers delivered per
   second. Baseline in the same run: the same number of signed POSTs of the same bodies
   from the same number of threads without the outbox (no database), so the outbox's own
   cost is the difference.
2. Finish → delivery: --desks desk threads each serve visits to the end and finish them with
   a handover (`finish_with_handovers`: the finish, the handover and its outbox row in one
   transaction), closed loop. The delay is from the handover's `created_at` (inside the
   finish) to the receiver having verified it. (a) the first attempt runs right after commit
   (the django-tasks immediate backend, the default); (b) no after-commit attempt, only a
   sender sweeping every 0.5 s (a cron-less worker, `deliver_handovers --loop`); (c) as (a)
   while --background-desks more desks finish plain visits as fast as they can.

Every phase stops after --seconds at the latest. Figures are printed as Markdown.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DEMO", "1")
os.environ["DEBUG"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")

import django  # noqa: E402
from bench_harness import Samples  # noqa: E402


class Receiver:
    """The agency's endpoint: verify with the library, keep each webhook-id once, note when."""

    def __init__(self, secret: str) -> None:
        from standardwebhooks.webhooks import Webhook

        self.webhook = Webhook(secret)
        self.lock = threading.Lock()
        self.arrived: dict[str, dt.datetime] = {}
        self.posts = 0
        self.rejected = 0

    def handle(self, body: bytes, headers: dict[str, str]) -> int:
        from standardwebhooks.webhooks import WebhookVerificationError

        from servicekontor.core import clock

        try:
            self.webhook.verify(body, headers)
        except WebhookVerificationError:
            with self.lock:
                self.rejected += 1
            return 400
        now = clock.now()
        with self.lock:
            self.posts += 1
            self.arrived.setdefault(headers["webhook-id"], now)
        return 204

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                status = receiver.handle(body, {k.lower(): v for k, v in self.headers.items()})
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}/hooks"


def in_threads(n: int, work: Callable[[int], None]) -> float:
    """Run work(0..n-1) in threads (each closes its DB connection); wall seconds."""
    from django.db import connection

    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            work(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - start


def build(desks: int) -> dict[str, Any]:
    from servicekontor.handovers import services as handover_services
    from servicekontor.handovers.models import Partner
    from servicekontor.queueing import services
    from tests.factories import make_agency, make_offering, make_office, make_service, make_user

    office = make_office(code="bench", counters=desks)
    agency = make_agency(code="bench-agency")
    service = make_service(agency=agency, code="bench-service")
    make_offering(office=office, service=service)
    partner = Partner.objects.create(agency=agency)
    secret = handover_services.add_signing_secret(partner=partner)
    officers = []
    for point in office.service_points.order_by("number")[:desks]:
        officer = make_user(offices=[office], agencies=[agency])
        services.sign_in_at_desk(officer=officer, service_point=point)
        officers.append(officer)
    return {
        "office": office,
        "service": service,
        "partner": partner,
        "secret": secret,
        "officers": officers,
    }


def fill_outbox(world: dict[str, Any], n: int) -> None:
    from servicekontor.core import clock
    from servicekontor.handovers import encryption
    from servicekontor.handovers.models import Delivery, Handover

    now = clock.now()
    handovers = Handover.objects.bulk_create(
        Handover(
            reference=f"H-B{i // 10000:03d}-{i % 10000:04d}",
            agency=world["partner"].agency,
            service=world["service"],
            office=world["office"],
            outcome="documents_forwarded",
            visit_day=now.date(),
            created_at=now,
            needs="Needs the decision reconsidered; documents forwarded.",
            documents=[{"kind": "Payslip", "count": 2}],
            contact_channel="phone",
            contact_encrypted=encryption.encrypt("070-123 45 67"),
            identity_number_encrypted=encryption.encrypt("199001010017"),
            consent=True,
        )
        for i in range(n)
    )
    Delivery.objects.bulk_create(
        Delivery(
            handover=h,
            partner=world["partner"],
            message_id=f"msg_bench_{h.pk}",
            created_at=now,
            next_attempt_at=now,
        )
        for h in handovers
    )


def throughput(world: dict[str, Any], outbox: int, senders: int, deadline: float) -> float:
    from servicekontor.handovers import delivery
    from servicekontor.handovers.models import Delivery, Handover

    Handover.objects.all().delete()  # their deliveries with them
    fill_outbox(world, outbox)

    def send(_i: int) -> None:
        import requests

        session = requests.Session()  # keep-alive, as a long-running sender would
        while time.perf_counter() < deadline:
            if (
                delivery.deliver_due(limit=200, session=session).delivered == 0
                and not Delivery.objects.filter(delivered_at__isnull=True).exists()
            ):
                return

    seconds = in_threads(senders, send)
    done = Delivery.objects.filter(delivered_at__isnull=False).count()
    return done / seconds


def baseline(world: dict[str, Any], outbox: int, senders: int, url: str) -> float:
    """The same signed POSTs without the outbox: bodies built once, no database."""
    import requests

    from servicekontor.core import clock
    from servicekontor.handovers.models import Handover
    from servicekontor.handovers.payload import webhook_body
    from servicekontor.handovers.services import active_secrets
    from servicekontor.handovers.signing import signed_headers

    secrets_ = active_secrets(world["partner"].pk)
    sample = Handover.objects.select_related("agency", "service", "office").first()
    assert sample is not None
    body = json.dumps(webhook_body(event_type="handover.created", handover=sample))
    per_thread = outbox // senders

    def post(i: int) -> None:
        session = requests.Session()
        for j in range(per_thread):
            headers = signed_headers(
                message_id=f"msg_base_{i}_{j}", timestamp=clock.now(), body=body, secrets_=secrets_
            )
            response = session.post(url, data=body.encode(), headers=headers, timeout=10)
            assert response.status_code == 204

    seconds = in_threads(senders, post)
    return per_thread * senders / seconds


def finishes(
    world: dict[str, Any],
    receiver: Receiver,
    *,
    desks: int,
    per_desk: int,
    sweep: bool,
    background: int,
    deadline: float,
) -> Samples:
    """Desks finish visits with a handover; returns the finish → delivery delays (ms)."""
    from servicekontor.handovers import delivery, signals, tasks
    from servicekontor.handovers import services as handover_services
    from servicekontor.handovers.models import Delivery, Handover
    from servicekontor.handovers.services import HandoverInput
    from servicekontor.queueing import services

    Delivery.objects.all().delete()
    Handover.objects.all().delete()
    officers = world["officers"]
    office, service = world["office"], world["service"]
    if sweep:
        signals.handover_created.disconnect(dispatch_uid="handovers-created")
    stop = threading.Event()

    def sweeper() -> None:
        from django.db import connection

        while not stop.is_set():
            delivery.deliver_due()
            time.sleep(0.5)
        connection.close()

    def desk(i: int) -> None:
        officer = officers[i]
        plain = i >= desks  # background desks finish without a handover
        done = 0
        while time.perf_counter() < deadline and ((plain and not stop.is_set()) or done < per_desk):
            visit = services.issue_ticket(office=office, service=service)
            services.call_visit(officer=officer, visit_id=visit.pk)
            services.start_service(officer=officer, visit_id=visit.pk)
            if plain:
                services.finish_visit(officer=officer, visit_id=visit.pk, outcome="resolved")
            else:
                handover_services.finish_with_handovers(
                    officer=officer,
                    visit_id=visit.pk,
                    outcome="referred",
                    handovers=[
                        HandoverInput(
                            service=service,
                            needs="Needs a caseworker to call back about the decision.",
                            consent=True,
                            contact_channel="phone",
                            contact="070-123 45 67",
                        )
                    ],
                )
            done += 1

    sweeping = threading.Thread(target=sweeper) if sweep else None
    if sweeping:
        sweeping.start()
    background_threads = [
        threading.Thread(target=in_threads, args=(1, lambda _i, k=k: desk(desks + k)))
        for k in range(background)
    ]  # each in its own thread (in_threads closes its connection)
    for t in background_threads:
        t.start()
    try:
        in_threads(desks, desk)
        wait_until = min(deadline, time.perf_counter() + 10)
        while time.perf_counter() < wait_until:
            if not Delivery.objects.filter(delivered_at__isnull=True).exists():
                break
            time.sleep(0.1)
    finally:
        stop.set()
        for t in background_threads:
            t.join()
        if sweeping:
            sweeping.join()
        if sweep:
            signals.handover_created.connect(
                tasks.on_handover_created, dispatch_uid="handovers-created"
            )
    samples = Samples()
    message_of = dict(Delivery.objects.values_list("handover_id", "message_id"))
    for handover_id, created in Handover.objects.values_list("pk", "created_at"):
        arrived = receiver.arrived.get(message_of.get(handover_id, ""))
        if arrived is not None:
            samples.add((arrived - created).total_seconds())
    undelivered = Delivery.objects.filter(delivered_at__isnull=True).count()
    print(f"  ({len(samples.values)} delivered, {undelivered} undelivered at the end)")
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--outbox", type=int, default=2000)
    parser.add_argument("--finishes", type=int, default=300)
    parser.add_argument("--desks", type=int, default=4)
    parser.add_argument("--background-desks", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL=postgres://…/<a database this may drop>")
    from peak_load import recreate_database

    recreate_database()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from servicekontor.handovers.models import Partner

    world = build(args.desks + args.background_desks)
    receiver = Receiver(world["secret"])
    server, url = receiver.serve()
    Partner.objects.filter(pk=world["partner"].pk).update(webhook_url=url)

    print("| senders | outbox, handovers/s | baseline: signed POSTs without the outbox, /s |")
    print("|---:|---:|---:|")
    for senders in (1, 2, 4):
        rate = throughput(world, args.outbox, senders, time.perf_counter() + args.seconds)
        base = baseline(world, args.outbox, senders, url)
        print(f"| {senders} | {rate:.0f} | {base:.0f} |")
    print()
    per_desk = max(1, args.finishes // args.desks)
    print("| finish → delivery | handovers | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|")
    for label, sweep, background in (
        ("(a) attempt right after commit", False, 0),
        ("(b) sweep every 0.5 s only", True, 0),
        (
            f"(c) as (a), {args.background_desks} more desks finishing flat out",
            False,
            args.background_desks,
        ),
    ):
        samples = finishes(
            world,
            receiver,
            desks=args.desks,
            per_desk=per_desk,
            sweep=sweep,
            background=background,
            deadline=time.perf_counter() + args.seconds,
        )
        print(f"| {label} | {len(samples.values)} | {samples.p50:.0f} | {samples.p99:.0f} |")
    print(f"\nreceiver: {receiver.posts} verified POSTs, {receiver.rejected} rejected")
    server.shutdown()


if __name__ == "__main__":
    main()
