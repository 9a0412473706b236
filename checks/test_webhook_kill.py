"""Webhooks survive a worker killed mid-delivery: an integrator's receiver checks every Standard
Webhooks signature and drops repeats by `webhook-id`, as the specification asks. The shop is
killed with SIGKILL while the receiver holds the first delivery, then started again: every event
reaches the receiver, the one interrupted is sent again with the same id, and each event is
processed exactly once."""
import base64
import hashlib
import hmac
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "e2e"))
sys.path.insert(0, str(ROOT / "bench"))
import benchlib  # noqa: E402
from conftest import BINARY, serve, stop  # noqa: E402


class Receiver:
    """An endpoint that verifies signatures, holds the first delivery until released, and
    processes each webhook-id once."""

    def __init__(self, port):
        self.secret = b""
        self.arrived, self.release = threading.Event(), threading.Event()
        self.lock = threading.Lock()
        self.raw, self.processed, self.bad = [], {}, 0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server interface
                body = self.rfile.read(int(self.headers["Content-Length"]))
                msg_id, stamp = self.headers["webhook-id"], self.headers["webhook-timestamp"]
                expected = "v1," + base64.b64encode(hmac.new(receiver.secret, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()).decode()
                with receiver.lock:
                    if not hmac.compare_digest(expected, self.headers["webhook-signature"]):
                        receiver.bad += 1
                        self.send_response(401)
                        self.end_headers()
                        return
                    receiver.raw.append(msg_id)
                    first = len(receiver.raw) == 1
                if first:
                    receiver.arrived.set()
                    receiver.release.wait(30)
                with receiver.lock:
                    # Processing is idempotent by webhook-id: a repeat is acknowledged, not redone.
                    receiver.processed.setdefault(msg_id, json.loads(body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                if predicate(self):
                    return
            assert time.monotonic() < deadline, (self.raw, list(self.processed))
            time.sleep(0.1)


def test_each_event_is_processed_once_after_the_worker_is_killed_mid_delivery():
    work = Path(tempfile.mkdtemp(prefix="gomart-webhooks-"))
    port = benchlib.free_port()
    receiver = Receiver(port)
    env = {"GOMART_WEBHOOK_ALLOW_PRIVATE": "true", "GOMART_NOTIFY_LEASE_SECONDS": "5", "GOMART_NOTIFY_RETRY_SECONDS": "1",
           "GOMART_RATE_LIMITS": "off"}
    added = subprocess.run([str(BINARY), "webhooks", "add", "--url", f"http://127.0.0.1:{port}/hooks", "--event", "order.placed",
                            "--event", "order.paid", "--data-dir", str(work / "data")],
                           env={**os.environ, **env}, capture_output=True, text=True, check=True, timeout=120)
    secret = re.search(r"whsec_(\S+)", added.stderr).group(1)  # the command speaks on standard error
    receiver.secret = base64.b64decode(secret)
    processes = []
    first = serve(work, name="first", keep_data=True, env=env, started=processes.append)
    second = None
    try:
        base = next(first)
        token = benchlib.new_customer(base, "Hook Shopper", "hook")
        status, listing = benchlib.call_json(base, "GET", "/api/v1/products?in_stock=true&sort=price-desc&limit=20")
        orders = []
        for product in benchlib.packs(listing["products"])[:3]:
            quantity = max(1, -(-1000 // product["price"]["amountMinor"]))
            status, _ = benchlib.call_json(base, "POST", "/api/v1/cart/items", {"productId": product["id"], "quantity": quantity}, token)
            assert status == 200
            status, order = benchlib.call_json(base, "POST", "/api/v1/orders", benchlib.sandbox_order("Hook Shopper"), token,
                                               {"Idempotency-Key": uuid.uuid4().hex})
            assert status == 201, order
            orders.append(order["id"])

        # The first delivery is in the receiver's hands: the worker dies before hearing back.
        assert receiver.arrived.wait(30)
        processes[0].send_signal(signal.SIGKILL)
        processes[0].wait(10)
        receiver.release.set()
        stop(first)

        second = serve(work, name="second", keep_data=True, env=env)
        next(second)
        expected = {(kind, order) for order in orders for kind in ("order.placed", "order.paid")}
        receiver.wait_for(lambda r: {(e["type"], e["data"]["order_id"]) for e in r.processed.values()} == expected, 60)
    finally:
        stop(first)
        if second:
            stop(second)
        receiver.server.shutdown()
        shutil.rmtree(work, ignore_errors=True)

    events = [(e["type"], e["data"]["order_id"]) for e in receiver.processed.values()]
    repeats = len(receiver.raw) - len(set(receiver.raw))
    print(f"webhooks after SIGKILL: {len(receiver.raw)} deliveries for {len(events)} events, {repeats} repeated with the same webhook-id")
    assert receiver.bad == 0
    assert sorted(events) == sorted(expected)      # each event processed once
    assert len(set(receiver.raw)) == len(expected)  # one webhook-id per event, repeats reuse it
    assert repeats >= 1                             # the interrupted delivery came again
