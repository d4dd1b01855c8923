#!/usr/bin/env python3
"""Start-up time with N objects in the embedded registry's store.

For each N: `registry-dev import` the lab's data/n<N>/registry.json into a fresh data
directory (timed, with the store's size), then --reps times: start clusterdns on it (embedded
registry, free loopback ports, --upstream none) and time from the process start to the first
correct answer (A 10.96.0.10) for kube-dns.kube-system.svc.cluster.local, polled every 10 ms;
RSS when it first answered; stop it by PID.

usage: bench/startup.py [-n 1000 -n 10000 -n 100000] [--reps 3] [--bin-dir .build/release]
Prints a table and one `STARTUP n=... key=value ...` line per N (medians over the reps).
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile

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
    print("| N | objects imported in s | store MB | start -> first kube-dns answer, s (median of reps) | RSS at first answer MB |")
    print("|---|---|---|---|---|")
    lines = []
    for n in args.n or [1000, 10000, 100000]:
        registry_json = os.path.join(args.lab, "data", f"n{n}", "registry.json")
        scratch = tempfile.mkdtemp(prefix=f"clusterdns-startup-n{n}-")
        try:
            store = os.path.join(scratch, "data")
            took, summary = benchlib.bulk_import(args.bin_dir, store, [registry_json])
            size = benchlib.store_size(store)
            times, rss = [], []
            for _ in range(args.reps):
                server = benchlib.Server(args.bin_dir, store)
                try:
                    times.append(server.wait_answer())
                    rss.append(server.rss_kb() or 0)
                finally:
                    status = server.stop()
                    if status not in (0, None):
                        print(f"# n={n}: clusterdns exited with {status}:\n{server.log_tail()}", file=sys.stderr)
            t = statistics.median(times)
            r = statistics.median(rss) / 1024
            print(f"| {n} | {took:.1f} | {size / 1e6:.1f} | {t:.2f} ({', '.join(f'{x:.2f}' for x in times)}) | {r:.1f} |")
            print(f"# n={n}: {summary}", file=sys.stderr)
            lines.append(f"STARTUP n={n} import_s={took:.1f} store_mb={size / 1e6:.1f} start_s_median={t:.2f} "
                         f"start_s_all={','.join(f'{x:.2f}' for x in times)} rss_mb={r:.1f}")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    print()
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
