#!/usr/bin/env python3
"""Kill one web instance mid-load and count what shoppers lost.

Usage: scripts/cluster up && bench/failover.py [seconds] [clients]

Drives shopping traffic through the cluster's HAProxy (.cluster/shop.url): page views, and
checkouts that retry with the same Idempotency-Key when a request fails, as a real client
should. A few seconds in, it sends SIGKILL to web1 (its PID from .cluster/web1.pid). At the end
it reports failed page views, checkouts that never got an answer, and — comparing what clients
were told with what the database holds — lost and duplicated orders. Loopback only, bounded.
"""
import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

STATE = Path(__file__).resolve().parent.parent / ".cluster"
base = (STATE / "shop.url").read_text().strip()
if not base.startswith("http://127."):
    sys.exit("loopback addresses only")
duration = float(sys.argv[1]) if len(sys.argv) > 1 else 20
clients = int(sys.argv[2]) if len(sys.argv) > 2 else 8
kill_after = min(5.0, duration / 3)


def call(method, path, body=None, token=None, key=None, timeout=10):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if key:
        request.add_header("Idempotency-Key", key)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            is_json = "json" in (response.headers.get("Content-Type") or "")
            return response.status, json.loads(body or b"{}") if is_json else {}
    except urllib.error.HTTPError as error:
        return error.code, {}
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, {}


stats = {"page_views": 0, "page_failures": 0, "checkouts": 0, "checkout_retries": 0, "checkouts_unanswered": 0, "left_pending": 0,
         "refused": 0}
acknowledged = {}  # token -> set of order ids the client was told about
lock = threading.Lock()
products = []
for page in range(1, 8):
    status, listing = call("GET", f"/api/v1/products?in_stock=true&limit=100&page={page}")
    # Products of £5 or more, so that any two make the minimum order.
    products += [p for p in listing.get("products", []) if p["stock"] >= 100 and p["price"]["amountMinor"] >= 500 and "weighing" not in p]
if len(products) < 20:
    sys.exit("need twenty products of £5 or more with 100+ units in stock")
order_body = {"delivery": {"name": "Failover", "line1": "1 Test Road", "city": "Loopback", "postcode": "LO1 1AA", "phone": "0100 000 0000"},
              "card": {"number": "4242424242424242", "expiryMonth": 12, "expiryYear": 2035, "cvc": "123"}}
deadline = time.monotonic() + duration


def shopper():
    status, session = 0, {}
    for _ in range(20):
        status, session = call("POST", "/api/v1/customers", {"name": "Failover", "email": f"fo-{uuid.uuid4().hex[:12]}@example.com", "password": "failover password"})
        if status == 201:
            break
    token = session.get("token")
    if not token:
        return
    with lock:
        acknowledged[token] = set()
    paths = ["/", "/aisles/bakery", "/search?q=milk", "/api/v1/products?limit=10"]
    index = 0
    while time.monotonic() < deadline:
        path = paths[index % len(paths)]
        index += 1
        status, _ = call("GET", path)
        with lock:
            stats["page_views"] += 1
            stats["page_failures"] += status != 200
        # One unit each of two products, spread over many products so that stock lasts the run.
        for product in (products[index % len(products)], products[(index * 7 + 3) % len(products)]):
            for _ in range(5):
                status, _ = call("POST", "/api/v1/cart/items", {"productId": product["id"], "quantity": 1}, token)
                if status in (200, 409):
                    break
        key = f"failover-{uuid.uuid4().hex}"
        answered = False
        for attempt in range(10):
            status, order = call("POST", "/api/v1/orders", order_body, token, key)
            if status in (200, 201) and order.get("id"):
                with lock:
                    if order.get("status") == "paid":
                        acknowledged[token].add(order["id"])
                    else:
                        # The instance died between taking stock and settling the payment: the
                        # order waits for the reaper, which cancels it and returns the stock.
                        stats["left_pending"] += 1
                answered = True
                break
            if 400 <= status < 500:
                # A definite refusal (e.g. 409: out of stock), not a failure to retry.
                with lock:
                    stats["refused"] += 1
                call("GET", "/api/v1/cart", token=token)
                answered = True
                break
            with lock:
                stats["checkout_retries"] += 1
            time.sleep(0.05 * (attempt + 1))  # back off before retrying the same key
        with lock:
            stats["checkouts"] += 1
            stats["checkouts_unanswered"] += not answered


threads = [threading.Thread(target=shopper) for _ in range(clients)]
for thread in threads:
    thread.start()
time.sleep(kill_after)
web1 = int((STATE / "web1.pid").read_text())
os.kill(web1, signal.SIGKILL)
killed_at = time.monotonic()
for thread in threads:
    thread.join()

lost = duplicated = stored_total = 0
for token, told in acknowledged.items():
    status, body = call("GET", "/api/v1/orders", token=token)
    stored = {o["id"] for o in body.get("orders", []) if o["status"] == "paid"}
    stored_total += len(stored)
    lost += len(told - stored)
    duplicated += len(stored - told)

print(f"killed web1 (pid {web1}) with SIGKILL {kill_after:.1f} s into a {duration:.0f} s run with {clients} clients")
print(f"page views:       {stats['page_views']}, failed: {stats['page_failures']}")
print(f"checkouts:        {stats['checkouts']}, retried requests: {stats['checkout_retries']}, refused (4xx): {stats['refused']}, never answered: {stats['checkouts_unanswered']}")
print(f"orders told paid: {sum(len(t) for t in acknowledged.values())}, paid in the database: {stored_total}, left pending by the kill: {stats['left_pending']}")
print(f"lost orders:      {lost}")
print(f"duplicated:       {duplicated}")
if stats["checkouts"] == 0:
    sys.exit("no checkout completed: the run itself failed")
sys.exit(1 if lost or duplicated or stats["page_failures"] or stats["checkouts_unanswered"] else 0)
