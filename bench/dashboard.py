#!/usr/bin/env python3
"""How fast the back office's dashboard opens on a big order history.

Usage: bench/dashboard.py --binary PATH [--orders 100000] [--requests 40] [--no-append]

Seeds a fresh SQLite data folder with the demo catalogue and N demo orders (over the last 120
days, so about a quarter fall in the dashboard's 30 days), adds an owner with `gomart staff add`,
starts `gomart serve` on 127.0.0.1, signs in through the staff sign-in form with the code an
authenticator app would show, then opens /admin/dashboard one request at a time and reports the
median, p95 and slowest. It also prints SQLite's plan for the report's queries. Appends a line
to bench/RESULTS.md unless --no-append.
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import http.cookiejar
import os
import platform
import re
import signal
import sqlite3
import statistics
import struct
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--binary", required=True, help="a built gomart binary (release, for figures worth recording)")
parser.add_argument("--orders", type=int, default=100_000)
parser.add_argument("--requests", type=int, default=40)
parser.add_argument("--no-append", action="store_true")
args = parser.parse_args()
binary = str(Path(args.binary).resolve())


def totp(secret):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time() // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def machine():
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    return f"{os.cpu_count()} cores ({model}), {platform.system()} {platform.release()}"


work = Path(tempfile.mkdtemp(prefix="gomart-dashboard-"))
data = work / "data"
print(f"seeding {args.orders:,} demo orders…", flush=True)
started = time.monotonic()
subprocess.run([binary, "seed", "--demo-orders", str(args.orders), "--data-dir", str(data)], check=True,
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(f"  seeded in {time.monotonic() - started:.0f} s", flush=True)
(work / "password").write_text("a long bench password\n")
added = subprocess.run([binary, "staff", "add", "--email", "owner@bench.example", "--role", "owner", "--password-file", str(work / "password"),
                        "--data-dir", str(data)], check=True, capture_output=True, text=True)
secret = re.search(r"secret:\s+([A-Z2-7]+)", added.stderr).group(1)

stderr = open(work / "stderr.log", "w+")
server = subprocess.Popen([binary, "serve", "--port", "0", "--data-dir", str(data)], stdout=subprocess.DEVNULL, stderr=stderr,
                          env=dict(os.environ, GOMART_ADMIN_PORT="0", GOMART_RATE_LIMITS="off"))
try:
    url = None
    deadline = time.monotonic() + 60
    while url is None and time.monotonic() < deadline:
        stderr.seek(0)
        found = re.search(r"GoMart is ready: (\S+)", stderr.read())
        url = found.group(1) if found else None
        time.sleep(0.05)
    if url is None:
        raise SystemExit("the shop did not start")
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    form = opener.open(url + "/admin/sign-in").read().decode()
    csrf = re.search(r'name="_csrf" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode({"_csrf": csrf, "email": "owner@bench.example", "password": "a long bench password", "code": totp(secret),
                                   "next": "/admin/dashboard"}).encode()
    signed_in = opener.open(url + "/admin/sign-in", data=body)
    assert signed_in.geturl().endswith("/admin/dashboard"), signed_in.geturl()

    timings = []
    for _ in range(args.requests):
        began = time.perf_counter()
        with opener.open(url + "/admin/dashboard") as response:
            page = response.read()
            assert response.status == 200 and b"Revenue per day" in page
        timings.append((time.perf_counter() - began) * 1000)
    timings.sort()
    median = statistics.median(timings)
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    orders_30 = re.search(rb'<span class="tile-figure">([\d,]+)</span> in 30 days', page).group(1).decode()
    print(f"/admin/dashboard on {args.orders:,} orders ({orders_30} in the last 30 days), {args.requests} requests one at a time:")
    print(f"  median {median:.1f} ms, p95 {p95:.1f} ms, slowest {timings[-1]:.1f} ms")
finally:
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)

database = sqlite3.connect(data / "gomart.sqlite")
start = int(time.time()) // 86400 * 86400 - 29 * 86400
for name, query in [
    ("per day", f"SELECT paid_at / 86400, COUNT(*), SUM(total_minor - refunded_minor) FROM orders WHERE paid_at >= {start} AND status <> 'cancelled' GROUP BY paid_at / 86400"),
    ("best sellers", f"SELECT order_lines.product_id, SUM(order_lines.quantity) AS units FROM order_lines JOIN orders ON orders.id = order_lines.order_id "
                     f"WHERE orders.paid_at >= {start} AND orders.status <> 'cancelled' GROUP BY order_lines.product_id ORDER BY units DESC LIMIT 10"),
    ("by state", f"SELECT status, COUNT(*) FROM orders WHERE created_at >= {start} GROUP BY status"),
]:
    plan = "; ".join(row[3] for row in database.execute("EXPLAIN QUERY PLAN " + query))
    print(f"  plan, {name}: {plan}")

if not args.no_append:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    results = ROOT / "bench" / "RESULTS.md"
    text = results.read_text()
    entry = (f"## {datetime.date.today()} — `bench/dashboard.py --orders {args.orders}`\n\n"
             f"Commit {commit}; {machine()}. /admin/dashboard on {args.orders:,} orders ({orders_30} in the last 30 days), "
             f"{args.requests} sequential requests: median {median:.1f} ms, p95 {p95:.1f} ms, slowest {timings[-1]:.1f} ms.\n\n")
    first = text.find("\n## ")  # newest first: above the previous entries
    results.write_text(text[:first + 1] + entry + text[first + 1:] if first >= 0 else text + "\n" + entry)
