#!/usr/bin/env python3
"""First latency figures for order validation and checkout, through the JSON API.

Usage: bench/order-latency.py http://127.0.0.1:8080 [validations] [checkouts]

Signs up a fresh customer, then times sequential `POST /api/v1/orders/validate` calls (three
lines) and full checkouts (add two products to the cart, then `POST /api/v1/orders` with a
fresh Idempotency-Key and the 4242 sandbox card, a durable commit). Prints p50/p90/p99 in ms.
One client, loopback only; the benchmark harness measures under concurrency.
"""
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

base = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8080"
validations = int(sys.argv[2]) if len(sys.argv) > 2 else 500
checkouts = int(sys.argv[3]) if len(sys.argv) > 3 else 100
if not base.startswith(("http://127.", "http://localhost")):
    sys.exit("loopback addresses only")


def call(method, path, body=None, token=None, headers=None):
    return benchlib.call_json(base, method, path, body, token, headers)


def timed(function):
    start = time.perf_counter()
    result = function()
    return (time.perf_counter() - start) * 1000, result


def summary(name, samples):
    samples = sorted(samples)
    pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
    print(f"{name:<12} n={len(samples):<5} p50={pick(0.5):7.2f} ms  p90={pick(0.9):7.2f} ms  p99={pick(0.99):7.2f} ms  mean={statistics.mean(samples):7.2f} ms")


status, products = call("GET", "/api/v1/products?in_stock=true&sort=price-desc&limit=50")
stocked = [p for p in products["products"] if p["stock"] >= 100 and "weighing" not in p][:3]
if len(stocked) < 3:
    sys.exit("need three products with 100+ units in stock")
status, session = call("POST", "/api/v1/customers", {"name": "Bench", "email": f"bench-{uuid.uuid4().hex[:10]}@example.com", "password": "benchmark password"})
token = session["token"]
lines = [{"productId": p["id"], "quantity": 1} for p in stocked]

validation_ms = []
for _ in range(validations):
    elapsed, (status, _) = timed(lambda: call("POST", "/api/v1/orders/validate", {"lines": lines}))
    assert status == 200, status
    validation_ms.append(elapsed)

checkout_ms = []
order = benchlib.sandbox_order("Bench")
for index in range(checkouts):
    for product in stocked[:2]:
        status, _ = call("POST", "/api/v1/cart/items", {"productId": product["id"], "quantity": 1}, token)
        assert status == 200, status
    elapsed, (status, body) = timed(lambda: call("POST", "/api/v1/orders", order, token, {"Idempotency-Key": f"bench-{uuid.uuid4().hex}"}))
    assert status == 201 and body["status"] == "paid", (status, body)
    checkout_ms.append(elapsed)

summary("validation", validation_ms)
summary("checkout", checkout_ms)
