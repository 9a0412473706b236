#!/usr/bin/env python3
"""A realistic mixed load: 70 % anonymous browsing, 25 % signed-in shoppers browsing and filling
carts, 5 % checking out through the checkout form (bench/locust/shoppers.py), stepped up until
the shop's answers slow down.

Usage: bench/mixed-load.py [--engine sqlite|postgres|both] [--users 100,200,400] [--duration S]
                           [--binary PATH] [--no-append]

- sqlite: one `gomart serve` on a fresh data folder (the embedded default).
- postgres: `scripts/cluster up`: PostgreSQL, two web instances behind HAProxy, a worker and the
  recommender role.

Each step runs Locust headless for S seconds with that many users (each waits 0.5-1.5 s between
requests), after they have all started. It reports, per kind of request, throughput, p50, p99,
p99.9 and errors; the CPU time GoMart, PostgreSQL, HAProxy and Locust itself used per request;
and the highest step at which every page's p99 stays under 100 ms and placing an order under
300 ms. Prints the tables and adds them to bench/RESULTS.md. See bench/README.md.
"""
import argparse
import concurrent.futures
import csv
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import ROOT, append_results, call, free_port, load_average, machine, packs, wait_until, write_restock  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
parser.add_argument("--users", default="200,400,800,1000", help="comma-separated user counts, one step each")
parser.add_argument("--duration", type=int, default=30, help="seconds per step, after every user has started (default 30)")
parser.add_argument("--binary", help="an already built gomart binary (skips the release build)")
parser.add_argument("--no-append", action="store_true", help="print the tables but do not add them to bench/RESULTS.md")
args = parser.parse_args()
steps = [int(users) for users in args.users.split(",")]
LOCUST = ROOT / ".venv/bin/locust"
if not LOCUST.exists():
    sys.exit("Locust is missing: scripts/install-bench-tools installs it into .venv")
SEARCHES = ["milk", "bread", "apple", "cheese", "tea", "rice", "pasta", "banana", "chicken", "yogurt", "coffee", "tomato"]
PAGE_LIMIT_MS, ORDER_LIMIT_MS = 100, 300

if args.binary:
    binary = Path(args.binary).resolve()
else:
    subprocess.run(["swift", "build", "-c", "release", "--product", "gomart"], cwd=ROOT, check=True)
    binary = Path(subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True,
                                 check=True).stdout.strip()) / "gomart"
SETTINGS = {"GOMART_LOG_LEVEL": "warning", "GOMART_MAX_QUANTITY_PER_LINE": "99",
            # One loopback client plays every shopper: per-client limits would refuse it.
            "GOMART_RATE_LIMITS": "off", "GOMART_ADMIN_PORT": "0",
            # Thousands of orders in minutes: far beyond the demo slots' capacity, so standard delivery.
            "GOMART_DELIVERY_SLOTS": "optional"}


def cpu_seconds(pid):
    """User and system CPU time of one process, in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid):
    """The processes whose parent is `pid` (PostgreSQL's backends)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return found


class Target:
    """The shop under load: its address, how to seed it, and which processes are its CPU."""

    def __init__(self, engine, work):
        self.engine, self.work = engine, work
        self.processes = []

    def start(self):
        if self.engine == "sqlite":
            self.environment = dict(os.environ, **SETTINGS, GOMART_DATA_DIR=str(self.work / "data"), GOMART_HOST="127.0.0.1")
            subprocess.run([str(binary), "seed"], env=self.environment, check=True, capture_output=True)
            self.seed()
            # A model for the recommendation rows, as the worker would train it.
            subprocess.run([str(binary), "ml", "retrain"], env=self.environment, check=True, capture_output=True)
            port = free_port()
            self.base = f"http://127.0.0.1:{port}"
            self.log = self.work / "gomart.log"
            self.server = subprocess.Popen([str(binary), "serve"], env=dict(self.environment, GOMART_PORT=str(port)),
                                           stdout=self.log.open("w"), stderr=subprocess.STDOUT)
            wait_until(f"{self.base}/health/ready")
            self.groups = {"GoMart": lambda: [self.server.pid]}
        else:
            subprocess.run(["scripts/cluster", "up", str(binary)], cwd=ROOT, env=dict(os.environ, **SETTINGS), check=True)
            state = ROOT / ".cluster"
            owner = (state / "owner-database.url").read_text().strip()
            self.environment = dict(os.environ, **SETTINGS, GOMART_DATABASE_URL=owner, GOMART_DATABASE_SCHEMA="gomart",
                                    GOMART_DATA_DIR=str(self.work / "maintenance"))
            self.seed()
            self.base = (state / "shop.url").read_text().strip()
            self.log = state / "logs"
            pid = lambda name: int((state / f"{name}.pid").read_text())  # noqa: E731
            postmaster = int((state / "postgres/data/postmaster.pid").read_text().split()[0])
            self.groups = {"GoMart": lambda: [pid(n) for n in ("web1", "web2", "worker", "recommender")],
                           "PostgreSQL": lambda: [postmaster, *children(postmaster)],
                           "HAProxy": lambda: [pid("haproxy")]}

    def seed(self):
        self.restocked = write_restock(self.work / "restock.csv")
        subprocess.run([str(binary), "seed", "--file", str(self.work / "restock.csv")], env=self.environment, check=True, capture_output=True)

    def cpu(self):
        return {name: sum(cpu_seconds(p) for p in pids()) for name, pids in self.groups.items()}

    def errors_logged(self):
        files = [self.log] if self.log.is_file() else sorted(self.log.glob("*.log"))
        lines = [line for path in files for line in path.read_text(errors="replace").splitlines()]
        return [line for line in lines if '"level":"error"' in line or '"level":"critical"' in line]

    def stop(self):
        if self.engine == "sqlite":
            self.server.terminate()
            self.server.wait(timeout=30)
        else:
            subprocess.run(["scripts/cluster", "down"], cwd=ROOT, check=True, capture_output=True)


def prepare(target, customers):
    """What the shoppers need: aisles, products, the restocked ids, and customers with sessions."""
    base = target.base
    _, body, _ = call(base, "GET", "/api/v1/aisles")
    aisles = [aisle["slug"] for aisle in json.loads(body)["aisles"]]
    products, page = [], 1
    while True:
        _, body, _ = call(base, "GET", f"/api/v1/products?limit=100&page={page}")
        listing = json.loads(body)
        products += listing["products"]
        if page >= listing["pageCount"]:
            break
        page += 1
    skus = {row[0] for row in target.restocked}
    restocked = [p["id"] for p in products if p["sku"] in skus]

    def sign_up(index):
        status, body, _ = call(base, "POST", "/api/v1/customers", {"name": f"Mixed {index}", "email": f"mixed-{index}-{uuid.uuid4().hex[:8]}@example.com",
                                                                    "password": "benchmark password"})
        if status != 201:
            raise SystemExit(f"could not create a customer: {status} {body[:200]!r}")
        return json.loads(body)["token"]

    # Every page rendered once, as in a shop that has been open a while (a first render costs ~10 ms).
    print(f"warming {len(aisles) + len(products)} pages…", flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda path: call(base, "GET", path), [f"/aisles/{slug}" for slug in aisles] + [p["url"] for p in products]))
    print(f"creating {customers} customers (bcrypt)…", flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        tokens = list(pool.map(sign_up, range(customers)))
    (target.work / "tokens.txt").write_text("\n".join(tokens) + "\n")
    return {"MIXED_TOKENS": str(target.work / "tokens.txt"), "MIXED_AISLES": ",".join(aisles),
            "MIXED_PRODUCTS": ",".join(p["url"].rstrip("/").split("/")[-1] for p in products),
            # Shoppers put in their carts what is in stock (a sold-out product's 409 is the right answer, not load).
            "MIXED_PRODUCT_IDS": ",".join(p["id"] for p in packs(products) if p["stock"] >= 50), "MIXED_RESTOCKED": ",".join(restocked),
            "MIXED_SEARCHES": ",".join(SEARCHES)}


def run_step(target, shoppers, users, seconds=None):
    """One Locust run; the statistics and CPU are counted from the moment every user has started."""
    seconds = seconds or args.duration
    spawn_rate = max(50, users // 4)
    ramp = users / spawn_rate
    prefix = target.work / f"step-{users}-{seconds}"
    command = [str(LOCUST), "-f", str(ROOT / "bench/locust/shoppers.py"), "--headless", "--only-summary", "--reset-stats",
               "-u", str(users), "-r", str(spawn_rate), "-t", f"{ramp + seconds:.0f}s", "--host", target.base,
               "--csv", str(prefix), "--loglevel", "WARNING", "--stop-timeout", "5"]
    # Each run's signed-in users take customers no earlier run used: a fresh cart each.
    offset = shoppers.setdefault("used", 0)
    shoppers["used"] += int(users * 0.31) + 2
    environment = dict(os.environ, **{key: value for key, value in shoppers.items() if key != "used"}, MIXED_TOKEN_OFFSET=str(offset))
    locust = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=(target.work / f"locust-{users}-{seconds}.log").open("w"))
    marks = {}

    def mark():  # CPU counters once every user runs, and at the end of the measured time
        time.sleep(ramp)
        marks["start"] = (time.monotonic(), target.cpu(), cpu_seconds(locust.pid))
        time.sleep(seconds)
        marks["end"] = (time.monotonic(), target.cpu(), cpu_seconds(locust.pid))
    timer = threading.Thread(target=mark)
    timer.start()
    locust.wait(timeout=ramp + seconds + 120)
    timer.join()
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    (began, cpu_before, locust_before), (ended, cpu_after, locust_after) = marks["start"], marks["end"]
    total = next(row for row in rows if row["Name"] == "Aggregated")
    requests = int(total["Request Count"])
    cpu = {name: (cpu_after[name] - cpu_before[name]) for name in cpu_after}
    cpu["Locust"] = locust_after - locust_before
    with open(f"{prefix}_failures.csv", encoding="utf-8") as handle:
        failures = {f"{row['Name']}: {row['Error']}": int(row["Occurrences"]) for row in csv.DictReader(handle)}
    return {"users": users, "rows": [row for row in rows if row["Name"] != "Aggregated"], "total": total, "requests": requests,
            "cpu": cpu, "seconds": ended - began, "failures": failures}


def number(row, key):
    value = row[key]
    return float(value) if value not in ("", "N/A") else float("nan")


def within_limits(step):
    for row in step["rows"]:
        if row["Name"].startswith("first visit"):
            continue  # Locust's bursts of new users, not the steady load
        limit = ORDER_LIMIT_MS if row["Name"] == "place order" else PAGE_LIMIT_MS
        if number(row, "99%") >= limit or int(row["Failure Count"]) > 0:
            return False
    return True


def report(engine, target, results):
    label = "SQLite, one instance" if engine == "sqlite" else "PostgreSQL, two web instances behind HAProxy (plus worker and recommender)"
    lines = [f"### {label}", ""]
    for step in results:
        cpu = step["cpu"]
        per_request = ", ".join(f"{name} {seconds / max(1, step['requests']) * 1e6:,.0f} µs" for name, seconds in cpu.items())
        busy = sum(seconds for name, seconds in cpu.items()) / step["seconds"] * 100
        lines += [f"**{step['users']} users**: {number(step['total'], 'Requests/s'):,.0f} requests/s, "
                  f"{int(step['total']['Failure Count'])} errors; CPU per request: {per_request} "
                  f"(all together {busy:.0f} % of one core); within the limits: {'yes' if within_limits(step) else 'no'}", "",
                  "| request | count | requests/s | p50 | p99 | p99.9 | errors |", "|---|---|---|---|---|---|---|"]
        for row in sorted(step["rows"], key=lambda r: r["Name"]):
            lines.append(f"| {row['Name']} | {int(row['Request Count']):,} | {number(row, 'Requests/s'):,.1f} | {number(row, '50%'):.0f} ms | "
                         f"{number(row, '99%'):.0f} ms | {number(row, '99.9%'):.0f} ms | {int(row['Failure Count'])} |")
        if step["failures"]:
            lines += ["", "Errors: " + "; ".join(f"{kind} × {count}" for kind, count in sorted(step["failures"].items())) + ".", ""]
        else:
            lines.append("")
    passing = [step["users"] for step in results if within_limits(step)]
    lines.append(f"Highest step with every page's p99 under {PAGE_LIMIT_MS} ms (first visits aside), placing an order under {ORDER_LIMIT_MS} ms and no errors: "
                 + (f"**{max(passing)} users**" if passing else "none of the steps") + ".")
    logged = target.errors_logged()
    if logged:
        lines.append(f"The shop logged {len(logged)} error(s); the first: `{logged[0][:300]}`")
    lines.append("")
    return lines


engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
load = load_average()
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
sections = []
for engine in engines:
    work = Path(tempfile.mkdtemp(prefix="gomart-mixed-"))
    target = Target(engine, work)
    try:
        target.start()
        # 30 % of the users sign in, each as a customer of their own in every run.
        shoppers = prepare(target, sum(int(users * 0.31) + 2 for users in [steps[0], *steps]))
        # A short run first, not reported: the new instances' first minute (connection pools, the
        # worker's first jobs) is not what a shop that has been open a while sees.
        print(f"{engine}: warming up with {steps[0]} users for 15 s…", flush=True)
        run_step(target, shoppers, steps[0], seconds=15)
        results = []
        for users in steps:
            print(f"{engine}: {users} users for {args.duration} s…", flush=True)
            results.append(run_step(target, shoppers, users))
        sections += report(engine, target, results)
    finally:
        target.stop()
        shutil.rmtree(work, ignore_errors=True)

text = "\n".join([
    f"## {datetime.date.today().isoformat()} — `bench/mixed-load.py` (70 % browsing, 25 % signed in, 5 % checking out; {args.duration} s per step)",
    "",
    f"Commit {commit}; {machine()}; Locust {subprocess.run([str(LOCUST), '--version'], capture_output=True, text=True).stdout.split()[1]} "
    f"on the same cores, loopback; load average before the run {load:.2f}.",
    "",
    *sections,
])
print()
print(text)
if not args.no_append:
    append_results(text)
