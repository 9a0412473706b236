"""A local HTTP server answering the requests GoMart's Stripe adapter makes, with the shapes of
Stripe's documentation: customers, PaymentIntents with manual capture (create and confirm,
capture, cancel), refunds and search by metadata. As Stripe does, it keeps the answer to each
Idempotency-Key and replays it for a repeated request (the same key with other parameters is an
`idempotency_error`). For drills it can hold the first capture: the capture is made, and the
answer waits until the drill releases it (by then the shop may have been killed)."""
import http.server
import json
import threading
import time
import urllib.parse
import uuid


def new_id(prefix):
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


class StripeServer:
    def __init__(self, port, hold_first_capture=False):
        self.port = port
        self.lock = threading.Lock()
        self.intents, self.methods, self.replies = {}, {}, {}
        self.captures = []  # (intent id, idempotency key, replayed)
        self.hold_first_capture = hold_first_capture
        self.capture_arrived, self.release = threading.Event(), threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status, body, replayed=False):
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    if replayed:
                        self.send_header("Idempotent-Replayed", "true")
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the shop was killed while this answer waited

            def authorised(self):
                if not (self.headers.get("Authorization") or "").startswith("Bearer sk_test_"):
                    self.answer(401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided."}})
                    return False
                return True

            def do_GET(self):  # noqa: N802 - the http.server interface
                if not self.authorised():
                    return
                url = urllib.parse.urlparse(self.path)
                form = dict(urllib.parse.parse_qsl(url.query))
                if url.path != "/v1/payment_intents/search":
                    return self.answer(404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL (GET: {url.path})."}})
                key = form.get("query", "").removeprefix("metadata['idempotency_key']:'").removesuffix("'")
                with server.lock:
                    found = [server.json(i, form.get("expand[]") == "data.latest_charge") for i in server.intents.values()
                             if i["metadata"].get("idempotency_key") == key]
                self.answer(200, {"object": "search_result", "data": found, "has_more": False})

            def do_POST(self):  # noqa: N802 - the http.server interface
                if not self.authorised():
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                key = self.headers.get("Idempotency-Key")
                if not key:
                    return self.answer(400, {"error": {"type": "invalid_request_error", "message": "An Idempotency-Key is required."}})
                parts = urllib.parse.urlparse(self.path).path.strip("/").split("/")
                is_capture = len(parts) == 4 and parts[1] == "payment_intents" and parts[3] == "capture"
                with server.lock:
                    replay = server.replies.get(key)
                    if replay is not None:
                        if is_capture:
                            server.captures.append((parts[2], key, True))
                        if replay[0] != body:
                            status, answer = 400, {"error": {"type": "idempotency_error", "message": "Keys can only be reused with the same parameters."}}
                        else:
                            status, answer = replay[1], replay[2]
                    else:
                        status, answer = server.route(parts, dict(urllib.parse.parse_qsl(body)))
                        if status < 500:
                            server.replies[key] = (body, status, answer)
                        if is_capture:
                            server.captures.append((parts[2], key, False))
                hold = is_capture and replay is None and server.hold_first_capture and not server.capture_arrived.is_set()
                if hold:
                    server.capture_arrived.set()
                    server.release.wait(60)
                self.answer(status, answer, replayed=replay is not None)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)

    def start(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def route(self, parts, form):
        if parts == ["v1", "customers"]:
            return 200, {"id": new_id("cus"), "object": "customer"}
        if parts == ["v1", "payment_intents"]:
            return self.create(form)
        if len(parts) == 4 and parts[1] == "payment_intents" and parts[2] in self.intents:
            intent = self.intents[parts[2]]
            if parts[3] == "capture":
                amount = int(form.get("amount_to_capture", intent["capturable"]))
                if intent["status"] != "requires_capture" or not 0 < amount <= intent["capturable"]:
                    return 400, {"error": {"type": "invalid_request_error", "code": "payment_intent_unexpected_state",
                                           "message": f"This PaymentIntent has a status of {intent['status']}."}}
                intent.update(status="succeeded", received=amount, capturable=0)
                return 200, self.json(intent, False)
            if parts[3] == "cancel" and intent["status"] == "requires_capture":
                intent.update(status="canceled", capturable=0)
                return 200, self.json(intent, False)
        if parts == ["v1", "refunds"] and form.get("payment_intent") in self.intents:
            intent = self.intents[form["payment_intent"]]
            amount = int(form.get("amount", intent["received"] - intent["refunded"]))
            if intent["status"] == "succeeded" and 0 < amount <= intent["received"] - intent["refunded"]:
                intent["refunded"] += amount
                return 200, {"id": new_id("re"), "object": "refund", "amount": amount, "currency": intent["currency"],
                             "payment_intent": intent["id"], "status": "succeeded"}
        return 400, {"error": {"type": "invalid_request_error", "message": f"Unsupported request /{'/'.join(parts)}."}}

    def create(self, form):
        if "payment_method_data[card][number]" in form:
            method = new_id("pm")
            self.methods[method] = (form.get("customer"), form["payment_method_data[card][number]"][-4:])
        elif form.get("payment_method") in self.methods and form.get("off_session") == "true":
            method = form["payment_method"]
        else:
            return 400, {"error": {"type": "invalid_request_error", "code": "resource_missing", "message": "No such PaymentMethod."}}
        amount = int(form["amount"])
        manual = form.get("capture_method") == "manual"
        metadata = {k[len("metadata["):-1]: v for k, v in form.items() if k.startswith("metadata[")}
        intent = {"id": new_id("pi"), "status": "requires_capture" if manual else "succeeded", "amount": amount,
                  "capturable": amount if manual else 0, "received": 0 if manual else amount, "refunded": 0,
                  "currency": form["currency"], "created": int(time.time()), "customer": form.get("customer"),
                  "payment_method": method, "capture_method": form.get("capture_method"), "metadata": metadata,
                  "charge": new_id("ch"), "last4": self.methods[method][1]}
        self.intents[intent["id"]] = intent
        return 200, self.json(intent, form.get("expand[]") == "latest_charge")

    def json(self, intent, expand):
        body = {"id": intent["id"], "object": "payment_intent", "status": intent["status"], "amount": intent["amount"],
                "amount_capturable": intent["capturable"], "amount_received": intent["received"], "currency": intent["currency"],
                "created": intent["created"], "capture_method": intent["capture_method"], "metadata": intent["metadata"],
                "customer": intent["customer"], "payment_method": intent["payment_method"]}
        body["latest_charge"] = {"id": intent["charge"], "object": "charge", "payment_method_details": {
            "type": "card", "card": {"brand": "visa", "last4": intent["last4"], "capture_before": intent["created"] + 7 * 86_400}}} \
            if expand else intent["charge"]
        return body
