"""What bench/run and bench/mixed-load.py share: ports, waiting, a small HTTP client, the machine's
description and the results file."""
import json
import os
import platform
import socket
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.05)
    raise SystemExit(f"{url} did not answer 200 within {timeout} s")


def call(base, method, path, body=None, token=None, headers=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def load_average():
    return float(Path("/proc/loadavg").read_text().split()[0])


def machine():
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    return f"{os.cpu_count()} cores ({model}), {memory} GiB, {platform.system()} {platform.release()}, {platform.machine()}"


def rss_peak_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_now_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def call_json(base, method, path, body=None, token=None, headers=None):
    """`call`, with the answer's body read as JSON."""
    status, raw, _ = call(base, method, path, body, token, headers)
    return status, json.loads(raw or b"{}")


def packs(products):
    """The products of an API listing sold in packs: loose goods (with `weighing`) are bought in
    grams or by count, so a drill that buys "n units" leaves them out."""
    return [p for p in products if "weighing" not in p]


def new_customer(base, name, prefix):
    """Signs a new customer up through the API; returns their bearer token."""
    status, session = call_json(base, "POST", "/api/v1/customers", {
        "name": name, "email": f"{prefix}-{uuid.uuid4().hex[:8]}@example.com", "password": f"{prefix} shopper 2026"})
    assert status == 201, session
    return session["token"]


def sandbox_order(name):
    """An order's body for `POST /api/v1/orders`: a loopback address and the sandbox's 4242 card."""
    return {"delivery": {"name": name, "line1": "1 Loop Road", "city": "Localhost", "postcode": "LO1 1AA", "phone": "0100 000 0000"},
            "card": {"number": "4242424242424242", "expiryMonth": 12, "expiryYear": 2035, "cvc": "123"}}


def append_results(text):
    """Adds `text` (a section starting with `## `) to bench/RESULTS.md, newest first."""
    results_file = ROOT / "bench" / "RESULTS.md"
    existing = results_file.read_text(encoding="utf-8")
    marker = "\n## "
    position = existing.find(marker)
    updated = existing[:position + 1] + text + "\n" + existing[position + 1:] if position >= 0 else existing + "\n" + text
    results_file.write_text(updated, encoding="utf-8")
    print(f"added to {results_file.relative_to(ROOT)}")


def write_restock(path, count=24, generated=False):
    """Writes a catalogue file that sets `count` demo products to a stock no run can sell out:
    products not sold by weight, of £1.50 or more (ten units then clear the £10 minimum order).
    With `generated`, the rows name the generated catalogue's SKUs instead. Returns the rows."""
    import csv
    rows = list(csv.reader((ROOT / "Sources/Catalog/Resources/demo-catalogue.csv").read_text(encoding="utf-8").splitlines()))
    header = rows[0]
    chosen = [row for row in rows[1:] if row[header.index("sold_by_weight")] == "no" and float(row[header.index("price")]) >= 1.5][:count]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in chosen:
            if generated:
                row[0] = f"GEN-{rows.index(row):06d}"
            row[header.index("stock")] = "1000000"
            writer.writerow(row)
    return chosen
