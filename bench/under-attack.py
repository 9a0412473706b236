#!/usr/bin/env python3
"""A normal shopper's latency while the shop is attacked.

Usage: bench/under-attack.py [--binary PATH] [--duration SECONDS] [--slow 1000] [--flood 64]

Starts `gomart serve` (release build by default, as bench/run builds it) on 127.0.0.1 with a
fresh demo shop and its default protection, then measures a normal shopper (wrk, 8 connections,
a returning visitor's cookie, the aisle page) in four phases of DURATION seconds each:

1. quiet: nothing else runs;
2. slowloris: SLOW connections each send part of a request head, then one more header byte
   every 2 s, as a slowloris attack does (the header timeout should drop them within 10 s);
3. sign-in flood from one address: FLOOD clients post wrong passwords to /api/v1/sessions
   as fast as they are answered (the per-address limit answers 429 at once);
4. sign-in flood from many addresses: the same flood with the sign-in rate limit off, so every
   attempt reaches bcrypt, as a botnet's would (the bcrypt cap keeps cores for shoppers).

It prints one table row per phase: the shopper's requests/s, p50, p99 and max, and what the
attack got (connections the shop closed, answers by status). Loopback only; every process it
starts is stopped by its PID.
"""

import argparse
import asyncio
import collections
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--binary", default="/tmp/gomart-release/release/gomart")
parser.add_argument("--duration", type=int, default=10)
parser.add_argument("--slow", type=int, default=1000)
parser.add_argument("--flood", type=int, default=64)
parser.add_argument("--phases", default="1,2,3,4", help="which phases to run, e.g. 1,4")
args = parser.parse_args()


def start_shop(data, extra_env):
    stderr = open(data / "stderr.log", "w+")
    env = dict(os.environ, GOMART_ADMIN_PORT="0", GOMART_LOG_LEVEL="warning", **extra_env)
    process = subprocess.Popen([args.binary, "serve", "--port", "0", "--data-dir", str(data / "data")],
                               stdout=subprocess.DEVNULL, stderr=stderr, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        stderr.seek(0)
        found = re.search(r"^GoMart is ready: (\S+)", stderr.read(), re.M)
        if found:
            return process, found.group(1)
        time.sleep(0.1)
    process.kill()
    sys.exit("the shop did not start")


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def visitor_cookie(base):
    host, port = base.split("//")[1].split(":")
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    match = re.search(rb"Set-Cookie: ([^;]+);", answer)
    return match.group(1).decode()


def shopper(base, cookie, seconds):
    """wrk's figures for the aisle page: requests/s, p50, p99 and max in ms."""
    output = subprocess.run(
        ["wrk", "-t", "2", "-c", "8", "-d", f"{seconds}s", "--latency", "--timeout", "10s",
         "-H", f"Cookie: {cookie}", f"{base}/aisles/bakery"],
        capture_output=True, text=True, check=True).stdout
    if not re.search(r"^\s+50%\s+[\d.]+(us|ms|s|m)\b", output, re.M):
        sys.exit("wrk gave no latency figures:\n" + output)

    def milliseconds(text):
        value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]

    p50 = milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    latency_max = milliseconds(re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", output).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    timeouts = re.search(r"timeout (\d+)", output)
    return rate, p50, p99, latency_max, int(errors.group(1)) if errors else 0, int(timeouts.group(1)) if timeouts else 0


class Attack:
    """Runs an attack in a thread with its own event loop until stopped; counts outcomes."""

    def __init__(self, make):
        self.make = make
        self.outcomes = collections.Counter()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self.make(self)))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.stopping.set()
        self.thread.join(timeout=60)


def slowloris(host, port, count):
    async def one(attack, index):
        while not attack.stopping.is_set():
            try:
                reader, writer = await asyncio.open_connection(host, port)
            except OSError:
                attack.outcomes["refused"] += 1
                await asyncio.sleep(1)
                continue
            attack.outcomes["opened"] += 1
            try:
                writer.write(b"GET /aisles/bakery HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                await writer.drain()
                while not attack.stopping.is_set():
                    writer.write(b"X")
                    await writer.drain()
                    try:
                        data = await asyncio.wait_for(reader.read(1), timeout=2)
                        if data == b"":
                            attack.outcomes["closed by the shop"] += 1
                            break
                    except asyncio.TimeoutError:
                        pass
            except (ConnectionError, OSError):
                attack.outcomes["closed by the shop"] += 1
            finally:
                writer.close()

    async def run(attack):
        await asyncio.gather(*(one(attack, index) for index in range(count)))

    return run


def sign_in_flood(host, port, count):
    async def one(attack, index):
        body = f'{{"email":"flood{index}@example.com","password":"not the password"}}'.encode()
        request = (f"POST /api/v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        while not attack.stopping.is_set():
            try:
                reader, writer = await asyncio.open_connection(host, port)
                while not attack.stopping.is_set():
                    writer.write(request)
                    await writer.drain()
                    head = await reader.readuntil(b"\r\n\r\n")
                    status = head.split(b" ", 2)[1].decode()
                    length = int(re.search(rb"Content-Length: (\d+)", head, re.I).group(1))
                    await reader.readexactly(length)
                    attack.outcomes[status] += 1
                writer.close()
            except (ConnectionError, OSError, asyncio.IncompleteReadError):
                attack.outcomes["connection lost"] += 1

    async def run(attack):
        await asyncio.gather(*(one(attack, index) for index in range(count)))

    return run


def main():
    work = Path(tempfile.mkdtemp(prefix="gomart-attack-"))
    rows = []
    try:
        phases = [
            ("quiet", {}, None),
            (f"{args.slow} slowloris connections", {}, "slow"),
            (f"sign-in flood, {args.flood} clients, one address", {}, "flood"),
            (f"sign-in flood, {args.flood} clients, many addresses (per-address limit off)", {"GOMART_RATE_LIMIT_SIGN_IN": "off"}, "flood"),
        ]
        for name, env, attack in [phases[int(index) - 1] for index in args.phases.split(",")]:
            data = work / str(len(rows))
            data.mkdir()
            process, base = start_shop(data, env)
            try:
                host, port = base.split("//")[1].split(":")
                cookie = visitor_cookie(base)
                shopper(base, cookie, 2)  # warm the page cache
                if attack is None:
                    figures, outcomes = shopper(base, cookie, args.duration), {}
                else:
                    make = slowloris(host, int(port), args.slow) if attack == "slow" else sign_in_flood(host, int(port), args.flood)
                    with Attack(make) as running:
                        time.sleep(3)  # let the attack build up
                        figures = shopper(base, cookie, args.duration)
                        outcomes = dict(running.outcomes)
                rows.append((name, figures, outcomes))
                print(f"{name}: {figures[0]:,.0f} req/s, p50 {figures[1]:.1f} ms, p99 {figures[2]:.1f} ms, max {figures[3]:.0f} ms; attack: {outcomes}",
                      file=sys.stderr)
            finally:
                stop(process)
    finally:
        subprocess.run(["rm", "-rf", str(work)], check=False)
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "unknown CPU")
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"\n{cpu}, {os.cpu_count()} cores, commit {commit}, {args.duration} s per phase, wrk 2 threads 8 connections on the aisle page\n")
    print("| while | shopper req/s | p50 | p99 | max | shopper errors | what the attack got |")
    print("|---|---|---|---|---|---|---|")
    for name, (rate, p50, p99, latency_max, errors, timeouts), outcomes in rows:
        got = ", ".join(f"{key}: {value:,}" for key, value in sorted(outcomes.items())) or "n/a"
        print(f"| {name} | {rate:,.0f} | {p50:.1f} ms | {p99:.1f} ms | {latency_max:.0f} ms | {errors + timeouts} | {got} |")


main()
