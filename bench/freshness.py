#!/usr/bin/env python3
"""Freshness: how long from a registry write to the changed DNS answer.

Starts clusterdns (embedded registry, temp data dir, loopback ports), then repeats each of
`dnsctl add-service`, `dnsctl add-endpoint` and `dnsctl delete-service` and polls the DNS
answer over UDP every 0.5 ms until it changes. Prints, per operation, the median and max of
  ack->visible   from dnsctl's exit (the write is acknowledged, hence durable) to the answer
  cmd->visible   from starting dnsctl (process start-up included) to the answer

usage: bench/freshness.py [--binary-dir .build/release] [--rounds 20]
Traffic only to 127.0.0.1. The server started here is stopped by its PID.
"""
import argparse
import os
import random
import re
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time


def query(name, qtype=1):
    header = struct.pack(">HHHHHH", random.randint(0, 65535), 0x0100, 1, 0, 0, 0)
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.rstrip(".").split(".")) + b"\0"
    return header + labels + struct.pack(">HH", qtype, 1)


def answer_count(sock, port, name):
    sock.sendto(query(name), ("127.0.0.1", port))
    data, _ = sock.recvfrom(4096)
    rcode = data[3] & 0xF
    return rcode, struct.unpack(">H", data[6:8])[0]


def wait_for(sock, port, name, condition, limit=5.0):
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        try:
            if condition(*answer_count(sock, port, name)):
                return time.perf_counter()
        except socket.timeout:
            pass
        time.sleep(0.0005)
    raise SystemExit(f"{name}: not visible within {limit} s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary-dir", default=".build/release")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    clusterdns = os.path.join(args.binary_dir, "clusterdns")
    dnsctl = os.path.join(args.binary_dir, "dnsctl")
    data = tempfile.mkdtemp(prefix="clusterdns-freshness-")
    log = open(os.path.join(data, "server.log"), "w+")
    server = subprocess.Popen([clusterdns, "--dns", "127.0.0.1:0", "--api", "127.0.0.1:0", "--data-dir", data,
                               "--upstream", "none", "--zones-dir", data], stderr=log, stdout=subprocess.DEVNULL)
    try:
        dns_port = api_port = None
        for _ in range(600):
            log.seek(0)
            text = log.read()
            m = re.search(r"dns\.listen=127\.0\.0\.1:(\d+)", text)
            a = re.search(r"registry\.port=(\d+)", text)
            dns_port, api_port = (int(m.group(1)) if m else None), (int(a.group(1)) if a else None)
            if dns_port and api_port and "registry synced" in text:
                break
            time.sleep(0.05)
        else:
            raise SystemExit("clusterdns did not start:\n" + text)
        api = f"http://127.0.0.1:{api_port}"
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.settimeout(0.5)

        def run(*argv):
            started = time.perf_counter()
            subprocess.run([dnsctl, "--server", api, *argv], check=True, stdout=subprocess.DEVNULL)
            return started, time.perf_counter()

        results = {"add-service": [], "add-endpoint": [], "delete-service": []}
        run("add-service", "db", "-n", "fresh", "--cluster-ip", "None", "--port", "pg:5432")
        for i in range(args.rounds):
            name = f"svc-{i}"
            fq = f"{name}.fresh.svc.cluster.local"
            started, acked = run("add-service", name, "-n", "fresh", "--port", "http:80")
            seen = wait_for(sock, dns_port, fq, lambda rcode, count: rcode == 0 and count > 0)
            results["add-service"].append((seen - acked, seen - started))
            ip = f"10.244.77.{i + 1}"
            started, acked = run("add-endpoint", "db", "-n", "fresh", "--ip", ip, "--hostname", f"db-{i}")
            seen = wait_for(sock, dns_port, f"db-{i}.db.fresh.svc.cluster.local", lambda rcode, count: count > 0)
            results["add-endpoint"].append((seen - acked, seen - started))
            started, acked = run("delete-service", name, "-n", "fresh")
            seen = wait_for(sock, dns_port, fq, lambda rcode, count: rcode == 3)
            results["delete-service"].append((seen - acked, seen - started))
        print(f"freshness over {args.rounds} rounds (ms): median / max")
        print("| operation | ack->visible median | ack->visible max | cmd->visible median | cmd->visible max |")
        print("|---|---|---|---|---|")
        for op, samples in results.items():
            ack = [s[0] * 1000 for s in samples]
            cmd = [s[1] * 1000 for s in samples]
            print(f"| {op} | {statistics.median(ack):.1f} | {max(ack):.1f} | {statistics.median(cmd):.1f} | {max(cmd):.1f} |")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
