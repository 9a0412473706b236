"""Traces across two processes: a shop (web role) and the recommender role both send spans over
OTLP/HTTP to a real receiver (the OpenTelemetry project's protobuf messages). A client starts a
trace and checks out, then asks for recommendations from the order just placed: every span of
both processes lands in that one trace, each under the right parent, with SQL statement shapes
and never the shopper's data."""
import json
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "e2e"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "checks"))
import benchlib  # noqa: E402
from conftest import serve, stop  # noqa: E402
from otlp_receiver import run_receiver  # noqa: E402

SERVER, CLIENT = 2, 3  # OTLP span kinds


def test_a_checkout_and_the_recommendations_after_it_are_one_trace_across_web_and_recommender():
    collector_port = benchlib.free_port()
    spans, stop_receiver = run_receiver(collector_port)
    traced = {"GOMART_OTLP_ENDPOINT": f"http://127.0.0.1:{collector_port}", "OTEL_BSP_SCHEDULE_DELAY": "100",
              "GOMART_RATE_LIMITS": "off", "GOMART_LOG_FORMAT": "json"}
    work = Path(tempfile.mkdtemp(prefix="gomart-traces-"))
    recommender = serve(work, ["seed", "--demo-orders", "200"], ["ml", "retrain"], name="recommender", keep_data=True,
                        args=("--role", "recommender"), env=traced)
    shop = None
    try:
        recommender_url = next(recommender)
        shop = serve(work, name="web", keep_data=True, env=dict(traced, GOMART_RECOMMENDER_URL=recommender_url))
        base = next(shop)
        status, listing = benchlib.call_json(base, "GET", "/api/v1/products?in_stock=true&sort=price-desc&limit=20")
        product = benchlib.packs(listing["products"])[0]["id"]
        status, session = benchlib.call_json(base, "POST", "/api/v1/customers", {
            "name": "Trace Shopper", "email": f"trace-{uuid.uuid4().hex[:10]}@example.com", "password": "trace password 2026"})
        assert status == 201, session
        token = session["token"]
        status, _ = benchlib.call_json(base, "POST", "/api/v1/cart/items", {"productId": product, "quantity": 2}, token)
        assert status == 200

        # The client's own span, the root of the journey: both requests carry it.
        trace_id, root = uuid.uuid4().hex, uuid.uuid4().hex[:16]
        traceparent = {"traceparent": f"00-{trace_id}-{root}-01"}
        status, order = benchlib.call_json(base, "POST", "/api/v1/orders", benchlib.sandbox_order("Trace Shopper"), token,
                                           dict(traceparent, **{"Idempotency-Key": f"trace-{uuid.uuid4().hex}"}))
        assert status == 201, order
        status, recommended = benchlib.call_json(base, "GET", "/api/v1/me/recommendations?k=5", None, token, traceparent)
        assert status == 200
        assert recommended["source"] == "model"

        def complete(received):
            # Every span the checks below look at; a request's own span ends (and is sent) last.
            names = {(s["service"], s["name"]) for s in received if s["trace_id"] == trace_id}
            return {("gomart-all", "POST /api/v1/orders"), ("gomart-all", "checkout.place_order"), ("gomart-all", "payment.authorise"),
                    ("gomart-all", "checkout.validate"), ("gomart-all", "GET /api/v1/me/recommendations"), ("gomart-all", "recommender.basket"),
                    ("gomart-all", "POST"), ("gomart-recommender", "POST /api/v1/model/recommendations")} <= names
        journey = [s for s in spans.wait_for(complete) if s["trace_id"] == trace_id]
        assert complete(journey)
    finally:
        if shop:
            stop(shop)
        stop(recommender)
        stop_receiver()
    web_log = (work / "web-stdout.log").read_text()
    shutil.rmtree(work, ignore_errors=True)

    by_id = {s["span_id"]: s for s in journey}

    def one(service, name):
        found = [s for s in journey if s["service"] == service and s["name"] == name]
        assert len(found) == 1, (service, name, found)
        return found[0]

    def parent(span):
        return by_id[span["parent_span_id"]]

    assert {s["service"] for s in journey} == {"gomart-all", "gomart-recommender"}

    # The checkout: the request, the order being placed, its validation, the charge, its SQL.
    checkout = one("gomart-all", "POST /api/v1/orders")
    assert (checkout["kind"], checkout["parent_span_id"]) == (SERVER, root)
    assert (checkout["attributes"]["http.route"], checkout["attributes"]["http.response.status_code"]) == ("/api/v1/orders", 201)
    place = one("gomart-all", "checkout.place_order")
    assert parent(place) is checkout
    assert parent(one("gomart-all", "checkout.validate")) is place
    charge = one("gomart-all", "payment.authorise")
    assert (parent(charge), charge["kind"]) == (place, CLIENT)
    statements = [s for s in journey if "db.query.text" in s["attributes"]]
    inserts = [s for s in statements if s["attributes"]["db.query.text"].startswith('INSERT INTO "orders"')]
    assert len(inserts) == 1
    assert (parent(inserts[0]), inserts[0]["name"], inserts[0]["attributes"]["db.system.name"]) == (place, "INSERT", "sqlite")
    # Statement shapes only: neither the shopper's name, the card nor the order's number is in any.
    texts = json.dumps([s["attributes"] for s in journey])
    for secret in ("Trace Shopper", "4242424242424242", "1 Loop Road", order["number"]):
        assert secret not in texts

    # The recommendations: the web role asks the recommender role, which continues the trace.
    asked = one("gomart-all", "GET /api/v1/me/recommendations")
    assert asked["parent_span_id"] == root
    basket = one("gomart-all", "recommender.basket")
    ancestor = parent(basket)
    while ancestor is not asked:
        ancestor = parent(ancestor)
    call = one("gomart-all", "POST")  # the HTTP client's span, whose id the traceparent header carried
    assert (parent(call), call["kind"]) == (basket, CLIENT)
    answered = one("gomart-recommender", "POST /api/v1/model/recommendations")
    assert (parent(answered), answered["kind"]) == (call, SERVER)

    # The shop's log line for the order request carries the trace and the server span.
    lines = [json.loads(line) for line in web_log.splitlines() if line.startswith("{")]
    logged = [line for line in lines if line.get("msg") == "request" and line.get("path") == "/api/v1/orders"]
    assert [(line["trace_id"], line["span_id"]) for line in logged] == [(trace_id, checkout["span_id"])]
