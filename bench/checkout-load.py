#!/usr/bin/env python3
"""Checkout under concurrent load, as bench/run's checkout row.

Usage: bench/checkout-load.py URL TOKENS_FILE PRODUCT_IDS CONNECTIONS SECONDS

CONNECTIONS workers, each with its own keep-alive connection and its own customers (tokens are
dealt out round-robin, so no two workers share a cart), loop for SECONDS: add ten units of a
product to the cart, then `POST /api/v1/orders` with a fresh Idempotency-Key and the 4242
sandbox card. Prints one `CHECKOUT-JSON {...}` line: orders, errors by status, and latency
percentiles of the order request alone and of the pair, in microseconds.

(wrk can pipeline the pair on one connection, but it then times the pair as one request and its
percentiles for it came out wrong; this client times each request itself.)
"""
import http.client
import json
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import sandbox_order  # noqa: E402

base, tokens_file, product_ids, connections, seconds = sys.argv[1], sys.argv[2], sys.argv[3].split(","), int(sys.argv[4]), float(sys.argv[5])
address = urlparse(base)
if address.hostname not in ("127.0.0.1", "localhost"):
    sys.exit("loopback addresses only")
tokens = [line.strip() for line in open(tokens_file) if line.strip()]
if len(tokens) < connections:
    sys.exit(f"need at least {connections} customers, got {len(tokens)}")
ORDER = json.dumps(sandbox_order("Bench Shopper"))
lock = threading.Lock()
order_us, pair_us, errors, orders = [], [], {}, [0]
deadline = time.monotonic() + seconds


def worker(index):
    mine = tokens[index::connections]
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    local_orders, local_order_us, local_pair_us, local_errors = 0, [], [], {}
    step = 0
    while time.monotonic() < deadline:
        token = mine[step % len(mine)]
        product = product_ids[(index + step) % len(product_ids)]
        step += 1
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        began = time.perf_counter()
        connection.request("POST", "/api/v1/cart/items", json.dumps({"productId": product, "quantity": 10}), headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            local_errors[f"add {response.status}"] = local_errors.get(f"add {response.status}", 0) + 1
            continue
        placed = time.perf_counter()
        connection.request("POST", "/api/v1/orders", ORDER, dict(headers, **{"Idempotency-Key": f"bench-{uuid.uuid4().hex}"}))
        response = connection.getresponse()
        body = response.read()
        done = time.perf_counter()
        if response.status == 201 and json.loads(body).get("status") == "paid":
            local_orders += 1
            local_order_us.append((done - placed) * 1e6)
            local_pair_us.append((done - began) * 1e6)
        else:
            local_errors[f"order {response.status}"] = local_errors.get(f"order {response.status}", 0) + 1
    connection.close()
    with lock:
        orders[0] += local_orders
        order_us.extend(local_order_us)
        pair_us.extend(local_pair_us)
        for key, value in local_errors.items():
            errors[key] = errors.get(key, 0) + value


started = time.monotonic()
threads = [threading.Thread(target=worker, args=(index,)) for index in range(connections)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
elapsed = time.monotonic() - started


def percentile(samples, p):
    if not samples:
        return 0
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


print("CHECKOUT-JSON " + json.dumps({
    "orders": orders[0], "seconds": elapsed, "errors": errors,
    "order_p50": percentile(order_us, 50), "order_p99": percentile(order_us, 99), "order_p999": percentile(order_us, 99.9),
    "pair_p50": percentile(pair_us, 50), "pair_p99": percentile(pair_us, 99),
}))
