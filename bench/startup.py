#!/usr/bin/env python3
"""Start-up time with N objects in the embedded registry's store.

For each N: `registry-dev import` the lab's data/n<N>/registry.json into a fresh data
directory (timed, with the store's size), then
  cold: --reps starts with `--snapshot-cache off` (every name compiled from the registry);
  warm: one start that saves the snapshot at its graceful stop, then --reps starts that serve
        the saved snapshot (the store unchanged since).
Each start: clusterdns on that directory (embedded registry, free loopback ports, --upstream
none), timed from the process start to the first correct answer (A 10.96.0.10) for
kube-dns.kube-system.svc.cluster.local, polled every 10 ms; also the time until the registry
is synced on the DNS side (its log line), and the peak RSS (VmHWM) by then. Stopped by PID.

usage: bench/startup.py [-n 1000 -n 10000 -n 100000] [--reps 3] [--bin-dir .build/release]
Prints a table and one `STARTUP n=... key=value ...` line per N (medians over the reps).
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, action="append")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--bin-dir", default=os.path.join(repo, ".build", "release"))
    parser.add_argument("--lab", default=os.environ.get("BENCH_LAB", os.path.join(repo, "..", "shared", "bench")))
    args = parser.parse_args()
    print("| N | objects imported in s | store MB | start | first kube-dns answer, s (median; all) | registry synced, s | peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    lines = []
    for n in args.n or [1000, 10000, 100000]:
        registry_json = os.path.join(args.lab, "data", f"n{n}", "registry.json")
        scratch = tempfile.mkdtemp(prefix=f"clusterdns-startup-n{n}-")
        try:
            store = os.path.join(scratch, "data")
            took, summary = benchlib.bulk_import(args.bin_dir, store, [registry_json])
            size = benchlib.store_size(store)
            print(f"# n={n}: {summary}", file=sys.stderr)
            results = {}
            for kind, extra in (("cold", ("--snapshot-cache", "off")), ("warm", ())):
                if kind == "warm":
                    start_once(args.bin_dir, store, extra)  # saves the snapshot when it stops
                runs = [start_once(args.bin_dir, store, extra) for _ in range(args.reps)]
                results[kind] = [statistics.median(r[i] for r in runs) for i in range(3)]
                answer, synced, peak = results[kind]
                print(f"| {n} | {took:.1f} | {size / 1e6:.1f} | {kind} | {answer:.2f} "
                      f"({', '.join(f'{r[0]:.2f}' for r in runs)}) | {synced:.2f} | {peak:.0f} |")
            (cold, cold_synced, cold_peak), (warm, warm_synced, warm_peak) = results["cold"], results["warm"]
            lines.append(f"STARTUP n={n} import_s={took:.1f} store_mb={size / 1e6:.1f} cold_s={cold:.2f} "
                         f"cold_synced_s={cold_synced:.2f} cold_peak_mb={cold_peak:.0f} warm_s={warm:.2f} "
                         f"warm_synced_s={warm_synced:.2f} warm_peak_mb={warm_peak:.0f}")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    print()
    for line in lines:
        print(line)


def start_once(bin_dir, store, extra):
    """(seconds to the first answer, seconds until the DNS side is synced, peak RSS MB)."""
    server = benchlib.Server(bin_dir, store, extra=extra)
    try:
        answer = server.wait_answer()
        synced = wait_log(server, ("registry synced: ", "[Watch] registry synced"))
        peak = (benchlib.rss_kb(server.pid, "VmHWM") or 0) / 1024
    finally:
        status = server.stop()
        if status not in (0, None):
            print(f"# clusterdns exited with {status}:\n{server.log_tail()}", file=sys.stderr)
    return answer, synced, peak


def wait_log(server, markers, limit=600.0):
    """Seconds from the start until the log holds the first marker (a served saved snapshot
    logs the second one before the DNS side has caught up, so the first one is looked for
    then)."""
    while time.perf_counter() - server.started < limit:
        server.log.flush()
        with open(server.log_path) as f:
            text = f.read()
        wanted = markers[0] if "serving the saved snapshot" in text else markers[1]
        if wanted in text and ("serving DNS" in text):
            return time.perf_counter() - server.started
        time.sleep(0.05)
    raise SystemExit(f"clusterdns never logged {markers} within {limit} s:\n{server.log_tail()}")


if __name__ == "__main__":
    main()
