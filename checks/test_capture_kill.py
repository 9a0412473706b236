"""A shop killed between taking the money and writing it down captures the order once. The shop
pays through its Stripe adapter against a local server with Stripe's shapes, which holds the
answer to the first capture: the capture is made, and the shop is killed with SIGKILL before it
hears of it. Started again, its worker asks again with the order's one capture key; the server
replays its first answer, so the intent is captured once, and the order says captured."""
import os
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
sys.path.insert(0, str(ROOT / "checks"))
import benchlib  # noqa: E402
from conftest import BINARY, serve, stop  # noqa: E402
from stripe_server import StripeServer  # noqa: E402

PASSWORD = "a long picker password"


def wait_until(condition, timeout, what):
    """The condition's value once it is true (asked every 0.2 s, for at most `timeout` s)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, what() if callable(what) else what
        time.sleep(0.2)


def test_a_shop_killed_between_the_capture_and_writing_it_down_captures_the_order_once():
    work = Path(tempfile.mkdtemp(prefix="gomart-capture-kill-"))
    stripe = StripeServer(benchlib.free_port(), hold_first_capture=True).start()
    (work / "password").write_text(PASSWORD + "\n")
    subprocess.run([str(BINARY), "staff", "add", "--email", "picker@example.com", "--role", "picker", "--name", "Pat Picker",
                    "--password-file", str(work / "password"), "--data-dir", str(work / "data")],
                   cwd=work, check=True, capture_output=True, timeout=120)
    env = {"GOMART_PAYMENT_PROVIDER": "stripe", "GOMART_STRIPE_SECRET_KEY": "sk_test_capture_drill",
           "GOMART_STRIPE_API_URL": f"http://127.0.0.1:{stripe.port}", "GOMART_PAYMENT_RETRY_AFTER_SECONDS": "0",
           # Settling every 2 s: the killed worker's lease (three rounds) lapses within 6 s.
           "GOMART_SETTLE_INTERVAL_SECONDS": "2",
           "GOMART_RATE_LIMITS": "off"}
    processes = []
    first = serve(work, name="first", keep_data=True, env=env, started=processes.append)
    second = None
    try:
        base = next(first)
        # A shopper orders; the card is authorised on the Stripe-shaped server.
        token = benchlib.new_customer(base, "Kit Drill", "capture")
        status, listing = benchlib.call_json(base, "GET", "/api/v1/products?aisle=pantry&in_stock=true&sort=price-desc&limit=1")
        product = listing["products"][0]
        status, _ = benchlib.call_json(base, "POST", "/api/v1/cart/items", {"productId": product["id"], "quantity": 3}, token)
        assert status == 200
        status, order = benchlib.call_json(base, "POST", "/api/v1/orders", benchlib.sandbox_order("Kit Drill"), token,
                                           {"Idempotency-Key": uuid.uuid4().hex})
        assert status == 201, order
        assert order["cardPayment"]["state"] == "authorised"

        # The picker packs it: the capture is made, and its answer held.
        status, staff = benchlib.call_json(base, "POST", "/api/v1/admin/sessions", {"email": "picker@example.com", "password": PASSWORD})
        assert status == 201, staff
        path = f"/api/v1/admin/orders/{order['id']}"
        status, _ = benchlib.call_json(base, "POST", path + "/transitions", {"transition": "start_picking"}, staff["token"])
        assert status == 200
        def pack():
            try:
                benchlib.call(base, "POST", path + "/pack", {}, staff["token"])
            except OSError:
                pass  # the shop is killed while this request waits
        packing = threading.Thread(target=pack, daemon=True)
        packing.start()
        assert stripe.capture_arrived.wait(30), "the shop never asked for the capture"

        # Killed before it hears that the money was taken.
        os.kill(processes[0].pid, signal.SIGKILL)
        processes[0].wait(15)
        stripe.release.set()
        packing.join(30)
        stop(first)

        # Started again: its worker asks again with the same key and writes the capture down.
        second = serve(work, name="second", keep_data=True, env=env)
        base = next(second)
        seen = {}

        def captured_order():
            status, answer = benchlib.call_json(base, "GET", path, None, staff["token"])
            seen.update(status=status, order=answer, captures=list(stripe.captures))
            return answer if answer.get("cardPayment", {}).get("state") == "captured" else None
        captured = wait_until(captured_order, 60, lambda: f"the order was never marked captured: {seen}")
        intent = next(iter(stripe.intents.values()))
        assert stripe.captures == [(intent["id"], f"{order['id']}:capture", False), (intent["id"], f"{order['id']}:capture", True)]
        assert intent["status"] == "succeeded"
        assert intent["received"] == captured["cardPayment"]["captured"]["amountMinor"] == captured["total"]["amountMinor"]
        assert captured["status"] == "packed"
        print(f"capture drill: killed after the capture; captured once ({intent['received']} minor units), "
              f"{len(stripe.captures)} capture requests with one key")
    finally:
        if second is not None:
            stop(second)
        stripe.stop()
        shutil.rmtree(work, ignore_errors=True)
