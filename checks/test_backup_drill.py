"""The backup drill, on SQLite and on PostgreSQL: shoppers keep checking out while `gomart backup`
runs, then the backup is verified, restored on a "new machine" (an empty data folder, and on
PostgreSQL a new database) and served.

Checks: the backup passes `gomart backup verify`; every order acknowledged before the backup's
time is in it; its row counts are the manifest's; the restored shop starts, and a shopper's
session and order from before the backup work there. Prints the time from restore to ready
(the RTO) for the demo catalogue.
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "e2e"))
sys.path.insert(0, str(ROOT / "bench"))
import benchlib  # noqa: E402
from conftest import BINARY, serve  # noqa: E402

ORDER = benchlib.sandbox_order("Drill Shopper")


call = benchlib.call_json


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request, monkeypatch):
    """The engine, and on PostgreSQL a throwaway cluster whose URL the shop and commands use;
    yields a function that makes a new empty database's URL (the "new machine")."""
    monkeypatch.setenv("GOMART_RATE_LIMITS", "off")  # one loopback client plays every shopper
    if request.param == "sqlite":
        yield request.param, None
        return
    cluster = Path(tempfile.mkdtemp(prefix="gomart-drill-pg-"))
    url = subprocess.run([str(ROOT / "scripts/postgres-test-cluster"), "start", str(cluster)], check=True, capture_output=True,
                         text=True).stdout.strip()
    monkeypatch.setenv("GOMART_DATABASE_URL", url)

    def new_database():
        port = url.split(":")[-1].split("/")[0]
        subprocess.run(["createdb", "-h", "127.0.0.1", "-p", port, "-U", "gomart", "gomart_restored"], check=True)
        return url.replace("/gomart_test?", "/gomart_restored?")
    try:
        yield request.param, new_database
    finally:
        subprocess.run([str(ROOT / "scripts/postgres-test-cluster"), "stop", str(cluster)], check=False)


def restored_orders_and_counts(engine, location, tables):
    """The order ids and the rows of `tables` in the restored database, and its integrity."""
    if engine == "sqlite":
        database = sqlite3.connect(location)
        stored = {row[0] for row in database.execute("SELECT public_id FROM orders")}
        counts = {table: database.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}
        integrity = database.execute("PRAGMA integrity_check").fetchone()[0]
        database.close()
        return stored, counts, integrity
    psql = lambda query: subprocess.run(["psql", location, "-At", "-c", query], check=True, capture_output=True, text=True).stdout.split()  # noqa: E731
    counts = {table: int(psql(f'SELECT COUNT(*) FROM "{table}"')[0]) for table in tables}
    return set(psql("SELECT public_id FROM orders")), counts, "ok"


def test_a_backup_taken_while_selling_restores_every_order_acknowledged_before_it(engine):
    engine, new_database = engine
    work = Path(tempfile.mkdtemp(prefix="gomart-drill-"))
    shop = serve(work)
    base = next(shop)
    try:
        status, listing = call(base, "GET", "/api/v1/products?in_stock=true&sort=price-desc&limit=40")
        # Dear enough that one unit clears the minimum order, plentiful enough for the whole drill.
        products = [p["id"] for p in benchlib.packs(listing["products"]) if p["stock"] >= 30 and p["price"]["amountMinor"] >= 1000]
        assert len(products) >= 4
        customers = []
        for index in range(6):
            status, body = call(base, "POST", "/api/v1/customers", {"name": f"Drill {index}", "email": f"drill-{uuid.uuid4().hex[:10]}@example.com",
                                                                     "password": "drill password 2026"})
            assert status == 201, body
            customers.append(body["token"])

        acknowledged = []  # (time the 201 arrived, order id, token)
        failures = []
        stop = threading.Event()

        def shopper(index, token):
            step = 0
            while not stop.is_set() and step < 400:
                product = products[(index + step) % len(products)]
                step += 1
                status, _ = call(base, "POST", "/api/v1/cart/items", {"productId": product, "quantity": 1}, token)
                if status != 200:
                    failures.append(("cart", status))
                    continue
                status, order = call(base, "POST", "/api/v1/orders", ORDER, token, {"Idempotency-Key": f"drill-{uuid.uuid4().hex}"})
                if status == 201:
                    acknowledged.append((time.time(), order["id"], token))
                else:
                    failures.append(("order", status))

        threads = [threading.Thread(target=shopper, args=(index, token)) for index, token in enumerate(customers)]
        for thread in threads:
            thread.start()
        # Mid-load: once some orders are in, back up from another process while they keep coming.
        deadline = time.monotonic() + 60
        while len(acknowledged) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        backups = work / "backups"
        subprocess.run([str(BINARY), "backup", "--to", str(backups), "--data-dir", str(work / "data")], cwd=work, check=True, timeout=120)
        after_backup = len(acknowledged)
        while len(acknowledged) < after_backup + 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert failures == []

        archive = next(backups.glob("*.gmbackup"))
        manifest = json.loads(archive.with_suffix(".manifest.json").read_text())
        taken_at = datetime.fromisoformat(manifest["createdAt"].replace("Z", "+00:00")).timestamp()
        before = [order for order in acknowledged if order[0] < taken_at]
        assert len(before) >= 20
        assert len(acknowledged) > manifest["rowCounts"]["orders"]  # the shop kept selling after it

        verified = subprocess.run([str(BINARY), "backup", "verify", str(archive), "--data-dir", str(work / "data")], cwd=work,
                                  capture_output=True, text=True, timeout=120)
        assert verified.returncode == 0, verified.stderr
        assert "good" in verified.stderr

        # Restore on a "new machine": an empty data folder, given the two keys.
        restored = work / "restored"
        (restored / "data").mkdir(parents=True)
        shutil.copy(work / "data" / "secret.key", restored / "data" / "secret.key")
        environment = dict(os.environ, GOMART_BACKUP_KEY=(work / "data" / "backup.key").read_text().strip())
        location = restored / "data" / "gomart.sqlite"
        if new_database:
            location = environment["GOMART_DATABASE_URL"] = new_database()
        began = time.monotonic()
        result = subprocess.run([str(BINARY), "restore", str(archive), "--data-dir", str(restored / "data")], cwd=work, env=environment,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        stored, counts, integrity = restored_orders_and_counts(engine, location, manifest["rowCounts"])
        assert integrity == "ok"
        assert [order[1] for order in before if order[1] not in stored] == []
        assert counts == manifest["rowCounts"]

        if new_database:
            os.environ["GOMART_DATABASE_URL"] = str(location)  # the restored shop runs on the new database
        restored_shop = serve(restored, name="restored", keep_data=True)
        restored_base = next(restored_shop)
        rto = time.monotonic() - began
        try:
            _, order_id, token = before[0]
            status, order = call(restored_base, "GET", f"/api/v1/orders/{order_id}", token=token)
            assert status == 200
            assert order["status"] == "paid"
            assert order["delivery"]["name"] == "Drill Shopper"  # personal data readable with the data key
        finally:
            next(restored_shop, None)
        print(f"\nbackup drill ({engine}): {len(acknowledged)} orders acknowledged, {len(before)} before the backup; "
              f"backup {manifest['archiveBytes']} bytes of {manifest['databaseBytes']}; restore to ready {rto:.2f} s (RTO)")
    finally:
        next(shop, None)
