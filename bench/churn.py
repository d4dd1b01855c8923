#!/usr/bin/env python3
"""Freshness under churn: registry writes while dnsperf saturates the server.

For each N (the lab's data/n<N>/registry.json, put into the embedded registry's store with
`registry-dev import` before the server starts), start clusterdns (embedded registry, temp data
dir, free loopback ports, --upstream none; unpinned by default, --pin: server on core 0 and
dnsperf on core 1 as in the lab's pinned mode), run dnsperf at saturation with the lab's hit
queries, and make --writes registry writes at --rate per second (a fixed schedule, spread
over --connections threads with one keep-alive HTTP connection each), cycling through
  create a ClusterIP service        visible: the A answer holds its allocated cluster IP
  update an EndpointSlice           visible: the hostname's A answer holds the new address
  update an ExternalName target     visible: the CNAME answer names the new target
  delete a service                  visible: NXDOMAIN
(the slice and the ExternalName service are one object each, updated in order: an update counts
as visible when the answer shows it or a later one; deletes remove services of the import).
For each write: the time from the HTTP acknowledgement (the response read) to the first DNS
answer that shows it. A separate UDP socket polls the oldest write not yet visible every
~0.5 ms; once it shows, the next one is asked at once (one snapshot usually brings several).
Snapshots follow the registry's order, so a later write does not show before an earlier one;
if it did, its time here would be later than the truth, never earlier.
A write not visible within --limit seconds counts as not visible.

usage: bench/churn.py [-n 10000 -n 100000] [--writes 600] [--rate 100] [--reps 3] [--bin-dir .build/release]
       bench/churn.py --load-only --api http://127.0.0.1:PORT --rate 100 --duration 300
         (soak.sh's write load: no DNS checks; create/update/delete services and slices, at
          most ~100 of them alive; prints `CHURN_LOAD writes=... failed=...` at the end)
One `CHURN n=... key=value ...` line per N for bench/compare.sh; with --reps R, one per run
(`rep=`), then one of them all (`reps=R`: counts summed, other figures the runs' medians, each
run's p99 and max listed), each run on
a copy of one import: this machine's runs of one build spread from 10 to 30 ms in p99 at N=100,000.
"""
import argparse
import collections
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

NS = "churn"


def churn_ip(cycle):
    """The address an EndpointSlice update of `cycle` writes; `cycle_of_ip` reads it back."""
    return f"10.{251 + cycle // 62500 % 4}.{cycle // 250 % 250}.{cycle % 250 + 1}"


def cycle_of_ip(ip):
    a, b, c, d = (int(x) for x in ip.split("."))
    return (b - 251) * 62500 + c * 250 + d - 1 if a == 10 and b >= 251 else -1


def setup_manifest(deletes):
    """The objects the writes work on, bulk-imported with the lab's registry: services pre-<i>
    for the deletes, the ExternalName service `ext` and the headless service `db` with the
    one-endpoint slice db-0 (hostname h) for the updates. Creates make new names."""
    items = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}},
             {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ext", "namespace": NS},
              "spec": {"type": "ExternalName", "externalName": "start.example.com"}},
             {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "namespace": NS},
              "spec": {"clusterIP": "None"}},
             {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
              "metadata": {"name": "db-0", "namespace": NS, "labels": {"kubernetes.io/service-name": "db"}},
              "addressType": "IPv4",
              "endpoints": [{"addresses": ["10.250.0.1"], "hostname": "h", "conditions": {"ready": True}}],
              "ports": [{"name": "tcp", "port": 5432, "protocol": "TCP"}]}]
    for i in range(deletes):
        items.append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"pre-{i}", "namespace": NS},
                      "spec": {"ports": [{"name": "http", "port": 80}]}})
    return {"apiVersion": "v1", "kind": "List", "items": items}


class Paced:
    """Runs `write(slot, registry)` for slots 0, 1, 2... at `rate` per second (absolute
    schedule: a late slot runs at once, the next ones catch up), spread over `connections`
    threads, each with one keep-alive connection of its own. Stops after `count` slots,
    `duration` seconds, or stop()."""

    def __init__(self, api, rate, write, connections=2, count=None, duration=None):
        self.api, self.rate, self.write = api, rate, write
        self.connections, self.count, self.duration = connections, count, duration
        self.stopped = threading.Event()
        self.threads = []
        self.start_time = None

    def start(self):
        self.start_time = time.perf_counter()
        for t in range(self.connections):
            thread = threading.Thread(target=self._run, args=(t,), daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def _run(self, offset):
        registry = benchlib.Registry(self.api)
        k = offset
        while not self.stopped.is_set():
            if self.count is not None and k >= self.count:
                break
            at = self.start_time + k / self.rate
            # Slots behind schedule run at once, but nothing runs after the duration.
            if self.duration is not None and (at - self.start_time >= self.duration
                                              or time.perf_counter() - self.start_time >= self.duration):
                break
            wait = at - time.perf_counter()
            if wait > 0 and self.stopped.wait(wait):
                break
            self.write(k, registry)
            k += self.connections
        registry.close()

    def stop(self):
        self.stopped.set()

    def join(self):
        for thread in self.threads:
            thread.join()
        return time.perf_counter() - self.start_time


def load_only(api, rate, duration, stop_file=None, connections=4):
    """soak.sh's write load: create/update/delete services and endpoint slices, at most ~100
    services alive. Returns (writes, failed)."""
    setup = benchlib.Registry(api)
    setup.ensure_namespace(NS)
    status, _ = setup.create_service(NS, "load-base")
    if status not in (201, 409):
        raise SystemExit(f"cannot create {NS}/load-base: HTTP {status}")
    setup.close()
    lock = threading.Lock()
    counts = {"writes": 0, "failed": 0}

    def write(k, registry):
        cycle, op = divmod(k, 6)
        name = f"load-{cycle}"
        if op == 0:
            call = lambda: registry.create_service(NS, name, ports=(("http", 80),))
        elif op == 1:
            call = lambda: registry.put_slice(NS, f"{name}-0", name, [("h-0", f"10.250.{cycle // 250 % 250}.{cycle % 250 + 1}")],
                                              create=True)
        elif op == 2 and cycle >= 50:
            old = f"load-{cycle - 50}"
            call = lambda: registry.patch_service(NS, old, {"spec": {"ports": [{"name": "http", "port": 8000 + cycle % 1000}]}})
        elif op == 3 and cycle >= 50:
            old = f"load-{cycle - 50}"
            call = lambda: registry.put_slice(NS, f"{old}-0", old, [("h-0", "10.251.0.1"), ("h-1", f"10.251.1.{cycle % 250 + 1}")])
        elif op == 4 and cycle >= 100:
            call = lambda: registry.delete_service(NS, f"load-{cycle - 100}")
        elif op == 5 and cycle >= 100:
            call = lambda: registry.delete_slice(NS, f"load-{cycle - 100}-0")
        else:  # the first cycles have nothing old to change yet: update the setup's service
            call = lambda: registry.patch_service(NS, "load-base", {"spec": {"ports": [{"name": "http", "port": 9000 + k % 1000}]}})
        try:
            status, _ = call()
        except OSError as error:
            status = f"error {error}"
        with lock:
            counts["writes"] += 1
            if not (isinstance(status, int) and 200 <= status < 300):
                counts["failed"] += 1
                if counts["failed"] <= 10:
                    print(f"churn: write {k} (op {op}): {status}", file=sys.stderr)

    writer = Paced(api, rate, write, connections=connections, duration=duration).start()
    started = time.perf_counter()
    last_report = started
    while any(t.is_alive() for t in writer.threads):
        time.sleep(1)
        if stop_file and os.path.exists(stop_file):
            writer.stop()
        if time.perf_counter() - last_report >= 30:
            last_report = time.perf_counter()
            print(f"churn: {last_report - started:.0f} s, {counts['writes']} writes, {counts['failed']} failed",
                  file=sys.stderr)
    elapsed = writer.join()
    writes, failed = counts["writes"], counts["failed"]
    print(f"CHURN_LOAD writes={writes} failed={failed} seconds={elapsed:.1f} rate={writes / max(elapsed, 1e-9):.1f}")
    return writes, failed


def start_dnsperf(port, queries, cpus, seconds, out_path):
    argv = ["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", queries, "-l", str(seconds), "-c", "8", "-T", "2",
            "-q", "500", "-t", "2", "-O", "suppress=timeouts,congestion,unexpected"]
    if cpus is not None:
        argv = ["taskset", "-c", str(cpus)] + argv
    return subprocess.Popen(argv, stdout=open(out_path, "w"), stderr=subprocess.STDOUT)


def dnsperf_stats(path):
    stats = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if "Queries sent:" in line:
                stats["sent"] = int(parts[2])
            elif "Queries completed:" in line:
                stats["completed"] = int(parts[2])
            elif "Queries lost:" in line:
                stats["lost"] = int(parts[2])
            elif "Queries per second:" in line:
                stats["qps"] = float(parts[3])
    return stats


def freshness(args, n):
    """--reps runs for N, each on its own copy of one import (a run deletes and creates
    services): a CHURN line per run, then one of them all (``median_run``)."""
    data = os.path.join(args.lab, "data", f"n{n}")
    registry_json = os.path.join(data, "registry.json")
    if not os.path.exists(registry_json):
        raise SystemExit(f"no lab data for N={n}: {registry_json}")
    scratch = tempfile.mkdtemp(prefix=f"clusterdns-churn-n{n}-")
    try:
        imported = os.path.join(scratch, "imported")
        deletes = (args.writes + 3) // 4
        setup = os.path.join(scratch, "churn-setup.json")
        with open(setup, "w") as f:
            json.dump(setup_manifest(deletes), f)
        took, line = benchlib.bulk_import(args.bin_dir, imported, [registry_json, setup])
        print(f"# n={n}: import {took:.1f} s (with {deletes + 4} objects for the churn), store "
              f"{benchlib.store_size(imported) / 1e6:.1f} MB ({line})", file=sys.stderr)
        runs = []
        for rep in range(1, args.reps + 1):
            run_dir = os.path.join(scratch, f"run-{rep}")
            shutil.copytree(imported, os.path.join(run_dir, "data"))
            runs.append(churn_run(args, n, data, run_dir, deletes, rep))
            if not args.keep:
                shutil.rmtree(run_dir, ignore_errors=True)
        if args.reps > 1:
            print_churn(median_run(runs))
    finally:
        if args.keep:
            print(f"# kept {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def churn_run(args, n, data, scratch, deletes, rep):
    """One run on the store in `scratch`/data: the CHURN words of its report."""
    server = dnsperf = None
    try:
        store = os.path.join(scratch, "data")
        server = benchlib.Server(args.bin_dir, store, cpus=0 if args.pin else None)
        ready = server.wait_answer()
        print(f"# n={n}: first kube-dns answer {ready:.2f} s after start", file=sys.stderr)
        resolver = benchlib.Resolver(server.dns_port, timeout=0.5)

        def answered(name):
            reply = resolver.ask(name)
            return reply is not None and reply[0] == 0 and reply[1] > 0

        if not (answered(f"pre-{deletes - 1}.{NS}.svc.cluster.local") and answered(f"ext.{NS}.svc.cluster.local")
                and answered(f"h.db.{NS}.svc.cluster.local")):
            raise SystemExit("the churn setup objects are not served")

        dnsperf_out = os.path.join(scratch, "dnsperf.out")
        expected = args.writes / args.rate * 3 + 60
        if not args.no_dnsperf:
            dnsperf = start_dnsperf(server.dns_port, os.path.join(data, "queries", f"{args.mix}.txt"),
                                    1 if args.pin else None, int(expected), dnsperf_out)
            time.sleep(args.warmup)
        build_name = "clusterdns_snapshot_build_duration_seconds"
        prog_name = "clusterdns_kubernetes_dns_programming_duration_seconds"
        before = benchlib.scrape(server.http_port)
        results = {"create": [], "update-slice": [], "update-ext": [], "delete": []}
        invisible = {k: 0 for k in results}
        failed = []
        rtts = []
        pending = collections.deque()  # (acked, kind, qname, check), in acknowledgement order
        lock = threading.Lock()
        slice_lock, ext_lock = threading.Lock(), threading.Lock()
        last_ack = [0.0]

        def write(k, registry):
            cycle, op = divmod(k, 4)
            try:
                if op == 0:
                    kind, name = "create", f"svc-{cycle}"
                    status, body = registry.create_service(NS, name)
                    ip = (body or {}).get("spec", {}).get("clusterIP") or "0.0.0.0"
                    qname = f"{name}.{NS}.svc.cluster.local"
                    check = lambda reply, ip=ip: benchlib.has_ipv4(reply, ip)
                elif op == 1:
                    # One slice, updated in order (a lock: unconditional PUTs could land out of
                    # order); visible once the answer shows this update or a later one.
                    kind = "update-slice"
                    with slice_lock:
                        status, _ = registry.put_slice(NS, "db-0", "db", [("h", churn_ip(cycle))])
                    qname = f"h.db.{NS}.svc.cluster.local"
                    check = lambda reply, cycle=cycle: any(
                        t == 1 and cycle_of_ip(v) >= cycle for t, v in benchlib.answers(reply))
                elif op == 2:
                    kind = "update-ext"
                    with ext_lock:
                        status, _ = registry.patch_service(NS, "ext", {"spec": {"externalName": f"t{cycle}.example.com"}})
                    qname = f"ext.{NS}.svc.cluster.local"
                    check = lambda reply, cycle=cycle: any(
                        t == 5 and re.fullmatch(r"t(\d+)\.example\.com", v) and int(v[1:v.index(".")]) >= cycle
                        for t, v in benchlib.answers(reply))
                else:
                    # one of the imported services: a create of this run may not be visible yet
                    kind = "delete"
                    name = f"pre-{cycle}"
                    status, _ = registry.delete_service(NS, name)
                    qname = f"{name}.{NS}.svc.cluster.local"
                    check = lambda reply: reply is not None and reply[0] == 3
            except OSError as error:
                kind, status = "error", f"{error}"
            acked = time.perf_counter()
            with lock:
                last_ack[0] = max(last_ack[0], acked)
                if isinstance(status, int) and 200 <= status < 300:
                    pending.append((acked, kind, qname, check))
                else:
                    failed.append(f"{kind} {k}: {status}")

        # Poll the oldest pending write every ~0.5 ms; once it shows, the next one is asked at
        # once (one snapshot usually brings several), so each write's time is that of the first
        # answer showing it. Snapshots follow the registry's order, so a later write cannot be
        # visible long before an earlier one; if it were, its time here is later than the truth.
        writer = Paced(server.api, args.rate, write, connections=args.connections, count=args.writes).start()
        while True:
            with lock:
                head = pending[0] if pending else None
            if head is None:
                if not any(t.is_alive() for t in writer.threads):
                    with lock:
                        if not pending:
                            break
                    continue
                time.sleep(0.0005)
                continue
            acked, kind, qname, check = head
            sent = time.perf_counter()
            reply = resolver.ask(qname)
            now = time.perf_counter()
            if reply is not None:
                rtts.append(now - sent)
            if check(reply):
                results[kind].append((now - acked) * 1000)
            elif now - acked > args.limit:
                invisible[kind] += 1
            else:
                time.sleep(0.0005)
                continue
            with lock:
                pending.popleft()
        writer.join()
        failed_writes = len(failed)
        for line in failed[:10]:
            print(f"# failed write: {line}", file=sys.stderr)
        elapsed = last_ack[0] - writer.start_time
        after = benchlib.scrape(server.http_port)
        alive = server.alive()
        dns = {}
        if dnsperf is not None:
            dnsperf.send_signal(signal.SIGINT)
            try:
                dnsperf.wait(timeout=30)
            except subprocess.TimeoutExpired:
                dnsperf.kill()
                dnsperf.wait()
            dnsperf = None
            dns = dnsperf_stats(dnsperf_out)
        build = benchlib.histogram_delta(benchlib.histogram(after, build_name), benchlib.histogram(before, build_name))
        prog = benchlib.histogram_delta(benchlib.histogram(after, prog_name), benchlib.histogram(before, prog_name))
        words = report(n, args, results, invisible, failed_writes, rtts, elapsed, build, prog, dns, alive)
        if args.reps > 1:
            words["rep"] = str(rep)
        print_churn(words)
        return words
    finally:
        if dnsperf is not None:
            dnsperf.kill()
            dnsperf.wait()
        if server is not None:
            server.stop()


def print_churn(words):
    print("CHURN " + " ".join(f"{k}={v}" for k, v in words.items()))
    sys.stdout.flush()


# Counts, summed over the runs: the writes, and of them the failed and the never visible, stay
# comparable; so do the builds that served them.
SUMMED = ("writes", "failed_writes", "invisible", "builds")


def median_run(runs):
    """The runs as one: counts (``SUMMED``) summed, alive only if every run's server was, every
    other figure the runs' median; each run's p99 and max in `*_runs`."""
    merged = {}
    for key in runs[0]:
        if key == "rep":
            continue
        values = [run[key] for run in runs]
        if key in SUMMED:
            merged[key] = str(sum(int(v) for v in values))
        elif key == "alive":
            merged[key] = "yes" if all(v == "yes" for v in values) else "no"
        else:
            try:
                numbers = [float(v) for v in values]
            except ValueError:
                merged[key] = values[0]
                continue
            places = max(len(v.partition(".")[2]) for v in values)
            merged[key] = f"{statistics.median(numbers):.{places}f}"
    merged["reps"] = str(len(runs))
    merged["p99_runs"] = ",".join(run["p99_ms"] for run in runs)
    merged["max_runs"] = ",".join(run["max_ms"] for run in runs)
    return merged


def ms(value):
    return "n/a" if value is None or value != value else f"{value:.2f}"


def report(n, args, results, invisible, failed_writes, rtts, elapsed, build, prog, dns, alive):
    everything = [v for values in results.values() for v in values]
    total = len(everything) + sum(invisible.values())
    within = sum(1 for v in everything if v <= 10.0)
    print()
    print(f"## freshness under churn, N={n}: {total} writes in {elapsed:.1f} s "
          f"({total / elapsed:.1f}/s achieved, {args.rate}/s asked), dnsperf {args.mix} "
          f"{'saturating' if not args.no_dnsperf else 'off'}")
    print()
    print("| write | count | median ms | p99 ms | max ms | within 10 ms | not visible in "
          f"{args.limit:.0f} s |")
    print("|---|---|---|---|---|---|---|")
    rows = list(results.items()) + [("all", everything)]
    for kind, values in rows:
        lost = sum(invisible.values()) if kind == "all" else invisible[kind]
        count = len(values) + lost
        share = (sum(1 for v in values if v <= 10.0) / count * 100) if count else float("nan")
        print(f"| {kind} | {count} | {ms(statistics.median(values) if values else None)} | "
              f"{ms(benchlib.percentile(values, 0.99))} | {ms(max(values) if values else None)} | "
              f"{share:.1f} % | {lost} |")
    print()
    rtt_median = statistics.median(rtts) * 1000 if rtts else None
    print(f"poll query round trip (the resolution floor): median {ms(rtt_median)} ms, "
          f"p99 {ms(benchlib.percentile(rtts, 0.99) * 1000 if rtts else None)} ms over {len(rtts)} polls")
    b50, b99 = benchlib.quantile_ms(build, 0.5), benchlib.quantile_ms(build, 0.99)
    p50, p99 = benchlib.quantile_ms(prog, 0.5), benchlib.quantile_ms(prog, 0.99)
    bmean = ms(build["sum"] / build["count"] * 1000 if build["count"] else None)
    print(f"snapshot builds during the churn: {build['count']:.0f}, median {b50} ms, p99 {b99} ms, mean {bmean} ms "
          "(/metrics clusterdns_snapshot_build_duration_seconds; quantiles interpolated in its buckets, mean exact)")
    print(f"DNS programming (feed receives a change -> served): median {p50} ms, p99 {p99} ms "
          "(clusterdns_kubernetes_dns_programming_duration_seconds)")
    if dns:
        lost_pct = dns.get("lost", 0) / dns["sent"] * 100 if dns.get("sent") else float("nan")
        print(f"dnsperf meanwhile: {dns.get('qps', 0):.0f} QPS, sent {dns.get('sent')}, completed "
              f"{dns.get('completed')}, lost {dns.get('lost')} ({lost_pct:.3f} %)")
    print(f"failed writes: {failed_writes}; server alive at the end: {'yes' if alive else 'NO'}")
    return {"n": str(n), "writes": str(total), "failed_writes": str(failed_writes), "rate": f"{total / elapsed:.1f}",
            "median_ms": ms(statistics.median(everything) if everything else None),
            "p99_ms": ms(benchlib.percentile(everything, 0.99)),
            "max_ms": ms(max(everything) if everything else None),
            "within10_pct": f"{(within / total * 100) if total else float('nan'):.1f}",
            "invisible": str(sum(invisible.values())),
            "poll_rtt_median_ms": ms(rtt_median),
            "builds": f"{build['count']:.0f}", "build_median_ms": b50, "build_p99_ms": b99,
            "build_mean_ms": bmean, "programming_median_ms": p50, "programming_p99_ms": p99,
            "dnsperf_qps": f"{dns.get('qps', 0):.0f}", "dnsperf_lost": str(dns.get("lost", "NA")),
            "alive": "yes" if alive else "no"}


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, action="append", help="lab size (repeatable; default 10000 and 100000)")
    parser.add_argument("--writes", type=int, default=600)
    parser.add_argument("--reps", type=int, default=1,
                        help="runs per N, each on a copy of one import; a CHURN line each, then one of their medians")
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--connections", type=int, default=4, help="writer threads, one keep-alive connection each")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds before a write counts as not visible")
    parser.add_argument("--mix", default="hit", help="dnsperf query file of the lab (hit, mixed)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of dnsperf before the first write")
    parser.add_argument("--no-dnsperf", action="store_true", help="no saturating load (freshness alone)")
    parser.add_argument("--pin", action="store_true",
                        help="server on core 0, dnsperf on core 1 (measured at N=10,000 here: the pinned server then "
                             "acknowledged only ~3.5 writes/s, its core taken by ~1.2 s snapshot builds)")
    parser.add_argument("--bin-dir", default=os.path.join(repo, ".build", "release"))
    parser.add_argument("--lab", default=os.environ.get("BENCH_LAB", os.path.join(repo, "..", "shared", "bench")))
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (server log)")
    parser.add_argument("--load-only", action="store_true")
    parser.add_argument("--api")
    parser.add_argument("--duration", type=float, default=300.0)
    parser.add_argument("--stop-file", help="--load-only: stop early once this file exists")
    args = parser.parse_args()
    if args.load_only:
        if not args.api:
            parser.error("--load-only needs --api")
        load_only(args.api, args.rate, args.duration, args.stop_file, args.connections)
        return
    for n in args.n or [10000, 100000]:
        freshness(args, n)


if __name__ == "__main__":
    main()
