"""Point-in-time recovery on PostgreSQL with pgBackRest and the configuration in deploy/pgbackrest:
a full backup, orders placed through the shop before and after a moment T (their WAL archived
continuously), the database lost, and a restore to T. Every order acknowledged before T is back,
none after it, and the shop serves the restored database. Prints the time from restore to a
ready shop (the RTO)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "e2e"))
sys.path.insert(0, str(ROOT / "bench"))
import benchlib  # noqa: E402
from conftest import serve  # noqa: E402

PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]


def as_postgres(*command, **options):
    """Runs `command` as the database's system user (PostgreSQL and pgBackRest refuse root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    done = subprocess.run([*prefix, *map(str, command)], capture_output=True, text=True, timeout=300, **options)
    assert done.returncode == 0, f"{command[0]} {command[-1]} failed:\n{done.stdout}{done.stderr}"
    return done


def psql(url, query):
    return subprocess.run(["psql", url, "-At", "-c", query], check=True, capture_output=True, text=True).stdout.split()


def place_orders(base, token, product, count):
    placed = []
    for _ in range(count):
        status, _ = benchlib.call_json(base, "POST", "/api/v1/cart/items", {"productId": product, "quantity": 1}, token)
        assert status == 200
        status, order = benchlib.call_json(base, "POST", "/api/v1/orders", benchlib.sandbox_order("Pitr Shopper"), token,
                                           {"Idempotency-Key": f"pitr-{uuid.uuid4().hex}"})
        assert status == 201, order
        placed.append(order["id"])
    return placed


def test_a_restore_to_a_point_in_time_has_every_order_before_it_and_none_after():
    cluster = Path(tempfile.mkdtemp(prefix="gomart-pitr-"))
    config = cluster / "pgbackrest.conf"
    archive = f"pgbackrest --config={config} --stanza=gomart archive-push %p"
    url = subprocess.run([str(ROOT / "scripts/postgres-test-cluster"), "start", str(cluster), "wal_level=replica", "archive_mode=on",
                          f"archive_command={archive}", "archive_timeout=60"], check=True, capture_output=True, text=True).stdout.strip()
    port = url.split(":")[-1].split("/")[0]
    # The shipped configuration, pointed at this cluster and a repository beside it.
    shipped = (ROOT / "deploy" / "pgbackrest" / "pgbackrest.conf").read_text()
    settings = shipped.replace("repo1-path=/var/lib/pgbackrest", f"repo1-path={cluster / 'repo'}")
    settings = settings.replace("pg1-path=/var/lib/postgresql/15/main", f"pg1-path={cluster / 'data'}")
    settings = settings.replace("pg1-port=5432", f"pg1-port={port}\npg1-socket-path={cluster}").replace("pg1-user=postgres", "pg1-user=gomart")
    settings = settings.replace("log-level-file=detail", f"log-level-file=off\nlock-path={cluster / 'lock'}")
    config.write_text(settings)
    if os.geteuid() == 0:
        shutil.chown(config, "postgres", "postgres")
    work = Path(tempfile.mkdtemp(prefix="gomart-pitr-shop-"))
    environment = {"GOMART_DATABASE_URL": url, "GOMART_RATE_LIMITS": "off"}
    try:
        as_postgres("pgbackrest", f"--config={config}", "--stanza=gomart", "stanza-create")
        shop = serve(work, keep_data=True, env=environment)
        base = next(shop)
        try:
            as_postgres("pgbackrest", f"--config={config}", "--stanza=gomart", "--type=full", "backup")
            # pgBackRest restores to a time after a backup's stop, which it keeps to the second:
            # the orders begin once the database's clock is past that second.
            info = json.loads(as_postgres("pgbackrest", f"--config={config}", "--stanza=gomart", "--output=json", "info").stdout)
            stopped = info[0]["backup"][-1]["timestamp"]["stop"]
            deadline = time.monotonic() + 10
            while psql(url, f"SELECT clock_timestamp() > to_timestamp({stopped + 1})") != ["t"] and time.monotonic() < deadline:
                time.sleep(0.1)
            status, listing = benchlib.call_json(base, "GET", "/api/v1/products?in_stock=true&sort=price-desc&limit=20")
            product = next(p["id"] for p in benchlib.packs(listing["products"]) if p["stock"] >= 20)
            status, session = benchlib.call_json(base, "POST", "/api/v1/customers", {
                "name": "Pitr Shopper", "email": f"pitr-{uuid.uuid4().hex[:10]}@example.com", "password": "pitr password 2026"})
            assert status == 201
            before = place_orders(base, session["token"], product, 3)
            moment = psql(url, "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
            moment = " ".join(moment)
            after = place_orders(base, session["token"], product, 3)
        finally:
            next(shop, None)
        # `check` switches to a new WAL segment and waits until the last one is archived.
        as_postgres("pgbackrest", f"--config={config}", "--stanza=gomart", "check")

        # The server is lost: stopped, its data folder emptied.
        as_postgres(PG_BIN / "pg_ctl", "-D", cluster / "data", "-m", "immediate", "-w", "stop")
        for entry in (cluster / "data").iterdir():
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()

        started = time.monotonic()
        as_postgres("pgbackrest", f"--config={config}", "--stanza=gomart", "--type=time", f"--target={moment}", "--target-action=promote", "restore")
        as_postgres(PG_BIN / "pg_ctl", "-D", cluster / "data", "-l", cluster / "restored-server.log", "-w", "-t", "120",
                    "-o", f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={cluster} -c max_connections=400", "start")
        deadline = time.monotonic() + 120
        while psql(url, "SELECT pg_is_in_recovery()") != ["f"] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert psql(url, "SELECT pg_is_in_recovery()") == ["f"]
        restored = set(psql(url, "SELECT public_id FROM orders"))
        assert set(before) <= restored
        assert restored.isdisjoint(after)

        shop = serve(work, keep_data=True, env=environment)
        base = next(shop)
        try:
            ready_after = time.monotonic() - started
            status, answer = benchlib.call_json(base, "GET", "/health/ready")
            assert (status, answer) == (200, {"status": "ready"})
        finally:
            next(shop, None)
        print(f"\npgBackRest point-in-time restore: {len(before)} orders before the moment back, {len(after)} after it gone; "
              f"restore to a ready shop {ready_after:.1f} s")
    except BaseException:
        log = cluster / "restored-server.log"
        print(log.read_text() if log.exists() else "")
        raise
    finally:
        subprocess.run([str(ROOT / "scripts/postgres-test-cluster"), "stop", str(cluster)], check=False)
        shutil.rmtree(work, ignore_errors=True)
