"""Fixtures for the real-browser journeys: a fresh shop and a headless Chromium."""
import inspect
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "e2e" / "artifacts"


BINARY = Path(os.environ.get("GOMART_BINARY", ROOT / ".build" / "debug" / "gomart")).resolve()


def serve(data, *setup, name="shop", keep_data=False, args=(), env=None, started=None):
    """Runs each `gomart` command of `setup` on the data folder, then starts `gomart serve` on a
    free loopback port, with `args` added and `env` added to the environment; yields its address
    and stops it by PID (`started`, if given, is handed the process first). `name` names its log
    files, so that several instances can share one data folder."""
    for command in setup:
        subprocess.run([str(BINARY), *command, "--data-dir", str(data / "data")], cwd=data, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    stderr = open(data / f"{name}-stderr.log", "w+")
    stdout = open(data / f"{name}-stdout.log", "w")
    # Slots are optional unless a test asks for them: drills that place orders test other things.
    process = subprocess.Popen([str(BINARY), "serve", "--port", "0", "--data-dir", str(data / "data"), *args],
                               stdout=stdout, stderr=stderr, cwd=data,
                               env={**os.environ, "GOMART_ADMIN_PORT": "0", "GOMART_DELIVERY_SLOTS": "optional", **(env or {})})
    url = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        stderr.seek(0)
        for line in stderr.read().splitlines():
            if line.startswith("GoMart is ready: "):
                url = line.split(": ", 1)[1].strip()
        if url:
            break
        time.sleep(0.1)
    if not url:
        process.kill()
        stderr.seek(0)
        raise RuntimeError("the shop did not start:\n" + stderr.read())
    if started:
        started(process)
    yield url
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    if not keep_data:
        shutil.rmtree(data, ignore_errors=True)


def stop(shop):
    """Stops a shop that `serve` started; one whose start was never asked for is only discarded
    (advancing it would start it)."""
    if inspect.getgeneratorstate(shop) == inspect.GEN_CREATED:
        shop.close()
    else:
        next(shop, None)


@pytest.fixture(scope="session")
def shop_url():
    """A fresh shop: the demo catalogue and slots on first start; orders need a slot."""
    yield from serve(Path(tempfile.mkdtemp(prefix="gomart-e2e-")), env={"GOMART_DELIVERY_SLOTS": "required"})


@pytest.fixture(scope="session")
def recommending_shop_url():
    """A shop with a demo order history and a model trained on it, as the README's steps make it."""
    data = Path(tempfile.mkdtemp(prefix="gomart-e2e-ml-"))
    export = str(data / "export")
    yield from serve(data, ["seed", "--demo-orders", "400"], ["ml", "export", "--out", export], ["ml", "train", "--data", export])


@pytest.fixture()
def browser():
    """A headless Chromium driven by chromium-driver, with a fresh profile per test."""
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(argument)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:
        options.binary_location = chromium
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.implicitly_wait(0)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()
