"""A real OTLP/HTTP trace receiver for the checks: it decodes each `ExportTraceServiceRequest`
(protobuf, optionally gzipped) with the OpenTelemetry project's own message definitions and
keeps the spans, for a test to look at."""
import gzip
import http.server
import threading

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest, ExportTraceServiceResponse


class Spans:
    """The spans received so far, each a dict: service, name, kind, trace_id, span_id,
    parent_span_id (hex; "" for a root) and attributes."""

    def __init__(self):
        self._spans = []
        self._changed = threading.Condition()

    def add(self, spans):
        with self._changed:
            self._spans.extend(spans)
            self._changed.notify_all()

    def wait_for(self, predicate, timeout=30):
        """Waits until `predicate(spans)` is true; returns the spans (a copy) either way."""
        with self._changed:
            self._changed.wait_for(lambda: predicate(list(self._spans)), timeout=timeout)
            return list(self._spans)


def _value(any_value):
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


def decode(body):
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    spans = []
    for resource_spans in request.resource_spans:
        resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                spans.append({
                    "service": resource.get("service.name"), "name": span.name, "kind": span.kind,
                    "trace_id": span.trace_id.hex(), "span_id": span.span_id.hex(), "parent_span_id": span.parent_span_id.hex(),
                    "attributes": {a.key: _value(a.value) for a in span.attributes},
                })
    return spans


def run_receiver(port):
    """Starts the receiver on 127.0.0.1:`port` in a thread; returns (spans, stop)."""
    spans = Spans()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server interface
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            if self.path != "/v1/traces":
                self.send_response(404)
                self.end_headers()
                return
            spans.add(decode(body))
            answer = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
    return spans, stop
