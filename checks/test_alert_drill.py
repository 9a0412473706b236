"""The alert drill: real Prometheus and Alertmanager, with the rules and routes in deploy/,
watch two running shops. At the same moment one starts failing 10 % of its requests (the fault
switch on its operations port) and the other dies (SIGKILL). The drill measures how long each
alert takes to reach Alertmanager's webhook, and checks that the page also arrives by e-mail at a
real SMTP server. Targets: under 5 minutes for the outage, under 10 for the error rate."""
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
import urllib.parse
import urllib.request
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "e2e"))
sys.path.insert(0, str(ROOT / "bench"))
import benchlib  # noqa: E402
from conftest import serve, stop as stop_shop  # noqa: E402

DEPLOY = ROOT / "deploy"


class Received:
    """What reached a receiver, with when: (seconds since the epoch, item)."""

    def __init__(self):
        self.items = []
        self.changed = threading.Condition()

    def add(self, item):
        with self.changed:
            self.items.append((time.time(), item))
            self.changed.notify_all()

    def first(self, predicate, timeout):
        """The time of the first item matching `predicate`, waiting up to `timeout` seconds; None if none came."""
        with self.changed:
            self.changed.wait_for(lambda: any(predicate(item) for _, item in self.items), timeout=timeout)
            return next((at for at, item in self.items if predicate(item)), None)


def webhook(port, received):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server interface
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            for alert in body["alerts"]:
                received.add((alert["status"], alert["labels"]))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Mailbox:
    def __init__(self, received):
        self.received = received

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - the aiosmtpd interface
        subject = re.search(r"^Subject: (.*)$", envelope.content.decode("utf-8", "replace"), re.MULTILINE)
        self.received.add((tuple(envelope.rcpt_tos), subject.group(1) if subject else ""))
        return "250 OK"


def start(command, log):
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def prometheus_query(port, query):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/query?query={urllib.parse.quote(query)}", timeout=5) as answer:
        return json.loads(answer.read())["data"]["result"]


def test_an_error_spike_and_an_outage_reach_the_team_within_the_targets():
    work = Path(tempfile.mkdtemp(prefix="gomart-alert-drill-"))
    ports = {name: benchlib.free_port() for name in ("failing", "dying", "prometheus", "alertmanager", "webhook", "smtp")}
    alerts, mail = Received(), Received()
    hook = webhook(ports["webhook"], alerts)
    smtp = Controller(Mailbox(mail), hostname="127.0.0.1", port=ports["smtp"])
    smtp.start()

    # The shipped configuration, with this drill's addresses.
    prometheus_config = (DEPLOY / "prometheus" / "prometheus.yml").read_text()
    prometheus_config = prometheus_config.replace('["127.0.0.1:9093"]', f'["127.0.0.1:{ports["alertmanager"]}"]')
    prometheus_config = prometheus_config.replace('["127.0.0.1:9180"]', f'["127.0.0.1:{ports["failing"]}", "127.0.0.1:{ports["dying"]}"]')
    for rules in ("gomart-alerts.yml", "gomart-slo.yml"):
        prometheus_config = prometheus_config.replace(f"  - {rules}", f"  - {DEPLOY / 'prometheus' / rules}")
    (work / "prometheus.yml").write_text(prometheus_config)
    alertmanager_config = (DEPLOY / "alertmanager" / "alertmanager.yml").read_text()
    alertmanager_config = alertmanager_config.replace("127.0.0.1:9095", f"127.0.0.1:{ports['webhook']}")
    alertmanager_config = alertmanager_config.replace('"127.0.0.1:25"', f'"127.0.0.1:{ports["smtp"]}"')
    (work / "alertmanager.yml").write_text(alertmanager_config)

    processes = []
    dying = []
    for folder in ("failing", "dying"):
        (work / folder).mkdir()
    failing_shop = serve(work / "failing", keep_data=True, env={"GOMART_ADMIN_PORT": str(ports["failing"]), "GOMART_FAULT_SWITCH": "true",
                                                                 "GOMART_RATE_LIMITS": "off"})
    dying_shop = serve(work / "dying", keep_data=True, env={"GOMART_ADMIN_PORT": str(ports["dying"])}, started=dying.append)
    stop_traffic = threading.Event()
    try:
        shop = next(failing_shop)
        next(dying_shop)
        log = open(work / "monitoring.log", "w")
        processes.append(start(["prometheus", f"--config.file={work / 'prometheus.yml'}", f"--storage.tsdb.path={work / 'tsdb'}",
                                f"--web.listen-address=127.0.0.1:{ports['prometheus']}"], log))
        processes.append(start(["prometheus-alertmanager", f"--config.file={work / 'alertmanager.yml'}", f"--storage.path={work / 'am'}",
                                f"--web.listen-address=127.0.0.1:{ports['alertmanager']}", "--cluster.listen-address="], log))

        def shoppers():
            # A steady trickle of visitors: pages and the API, bounded.
            paths = ["/", "/api/v1/products?limit=5", "/search?q=milk"]
            for step in range(20_000):
                if stop_traffic.is_set():
                    return
                benchlib.call(shop, "GET", paths[step % len(paths)])
                time.sleep(0.05)
        traffic = threading.Thread(target=shoppers, daemon=True)
        traffic.start()

        # Prometheus sees both shops before anything breaks.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if len(prometheus_query(ports["prometheus"], 'up{job="gomart"} == 1')) == 2:
                    break
            except OSError:
                pass
            time.sleep(1)
        assert len(prometheus_query(ports["prometheus"], 'up{job="gomart"} == 1')) == 2

        broken_at = time.time()
        with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{ports['failing']}/faults/server-errors?percent=10",
                                                           method="PUT"), timeout=5) as answer:
            assert json.loads(answer.read()) == {"serverErrorPercent": 10}
        os.kill(dying[0].pid, signal.SIGKILL)

        down_at = alerts.first(lambda item: item[0] == "firing" and item[1]["alertname"] == "GoMartInstanceDown", timeout=300)
        errors_at = alerts.first(lambda item: item[0] == "firing" and item[1]["alertname"] == "GoMartAvailabilityBudgetBurningFast",
                                 timeout=600 - (time.time() - broken_at))
        mailed_at = mail.first(lambda item: item[0] == ("on-call@shop.example",) and "GoMartInstanceDown" in item[1], timeout=60)
    finally:
        stop_traffic.set()
        for process in processes:
            stop(process)
        stop_shop(failing_shop)
        stop_shop(dying_shop)
        hook.shutdown()
        smtp.stop()

    down_firing = [labels for status, labels in (item for _, item in alerts.items) if labels["alertname"] == "GoMartInstanceDown"]
    assert down_firing[0]["instance"] == f"127.0.0.1:{ports['dying']}"
    assert down_at is not None, "the outage's alert did not reach the webhook within 5 minutes"
    assert errors_at is not None, "the error spike's alert did not reach the webhook within 10 minutes"
    assert mailed_at is not None, "the page did not arrive by e-mail"
    print(f"\nalert drill: outage to webhook {down_at - broken_at:.0f} s, 10 % errors to webhook {errors_at - broken_at:.0f} s, "
          f"outage by e-mail {mailed_at - broken_at:.0f} s")
    shutil.rmtree(work, ignore_errors=True)
