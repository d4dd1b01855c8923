#!/usr/bin/env python3
"""BENCHMARKS.md from bench/compare.sh's raw logs (run-peers RESULT lines, STARTUP and CHURN
lines, the answer check). Called by compare.sh; runs on its own too:
  bench/report.py --lab ../shared/bench --sizes "1000 10000" --peers-log bench/results/compare-X.log ...
"""
import argparse
import json
import os
import platform
import subprocess


def words(line):
    out = {}
    for word in line.split()[1:]:
        if "=" in word:
            key, value = word.split("=", 1)
            out[key] = value
    return out


def num(value):
    try:
        return float(str(value).replace(",", ""))
    except (TypeError, ValueError):
        return None


def ratio(a, b):
    a, b = num(a), num(b)
    return f"{a / b:.2f}" if a and b else "n/a"


def cell(value, digits=0):
    v = num(value)
    if v is None:
        return "n/a"
    return f"{v:,.{digits}f}"


def memory_target_mb(summary):
    """The issue's memory target: half of CoreDNS's sizing formula (pods + services)/1000 + 54 MB,
    counting endpoints as pods."""
    return ((summary["endpoints"] + summary["services"]) / 1000 + 54) / 2


def main():
    p = argparse.ArgumentParser()
    for name in ("lab", "sizes", "peers-log", "startup-log", "churn-log", "check", "command", "commit", "started",
                 "source", "load", "load-after", "summarize"):
        p.add_argument("--" + name, default="")
    a = p.parse_args()
    sizes = [int(n) for n in a.sizes.split()]
    lines = subprocess.run(["python3", a.summarize, "--lines", a.peers_log], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    rows = {}
    for line in lines:
        if line.startswith("SUMMARY"):
            w = words(line)
            rows[(w["label"], int(w["n"]), w["mix"], w["mode"])] = w
    summaries = {}
    for n in sizes:
        path = os.path.join(a.lab, "data", f"n{n}", "summary.json")
        if os.path.exists(path):
            with open(path) as f:
                summaries[n] = json.load(f)
    startup = {int(w["n"]): w for w in (words(l) for l in open(a.startup_log) if l.startswith("STARTUP"))} \
        if a.startup_log and os.path.exists(a.startup_log) else {}
    # With several runs per N, the line of their medians (no `rep=`) is the one reported.
    churn = {int(w["n"]): w for w in (words(l) for l in open(a.churn_log) if l.startswith("CHURN ")) if "rep" not in w} \
        if a.churn_log and os.path.exists(a.churn_log) else {}
    check = open(a.check).read().strip() if a.check and os.path.exists(a.check) else ""

    out = []
    out.append("# Benchmarks: clusterdns next to Knot DNS")
    out.append("")
    out.append(f"- date: {a.started} (UTC start)")
    out.append(f"- commit: {a.commit}")
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    out.append(f"- machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}; "
               f"load average (1/5/15 min) {a.load} at the start, {a.load_after} at the end. The machine is "
               "shared and noisy: medians of the repetitions; `foreign_cores` is the CPU other processes used "
               "during a run (runs above 0.25 cores are dropped when 2 quiet ones remain).")
    out.append(f"- clusterdns: {'embedded registry, the lab registry bulk-imported into its store (bench/serve-embedded.sh)' if a.source == 'embedded' else '--manifests registry.json'}, "
               "`--upstream none`, no static zones; Knot: the lab's zone files")
    out.append(f"- command: `{a.command}`")
    out.append("- lab: dnsperf at saturation, -c 8 -T 2 -q 500 -t 2; pinned = server on core 0, dnsperf on core 1; "
               "p99 from a fixed-rate probe (-Q 10000, 4 s); peak RSS = largest VmHWM of the server's process tree")
    out.append("")
    out.append("## Throughput, efficiency, latency, memory")
    out.append("")
    out.append("| N | mix | mode | QPS knot | QPS clusterdns | ratio | q/server-CPU-s knot | q/server-CPU-s clusterdns "
               "| ratio | lost % knot / clusterdns | p99 ms @10k qps knot / clusterdns | peak RSS MB knot | "
               "peak RSS MB clusterdns | memory target MB | target met | foreign cores (cdns) |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    keys = sorted({(n, mix, mode) for (_, n, mix, mode) in rows})
    for n, mix, mode in keys:
        k = rows.get(("knot", n, mix, mode), {})
        c = rows.get(("clusterdns", n, mix, mode), {})
        target = memory_target_mb(summaries[n]) if n in summaries else None
        rss = num(c.get("hwm_max_kb"))
        rss_mb = rss / 1024 if rss else None
        met = "n/a" if target is None or rss_mb is None else ("yes" if rss_mb <= target else "NO")
        krss = num(k.get("hwm_max_kb"))
        out.append(
            f"| {n:,} | {mix} | {mode} | {cell(k.get('qps_median'))} | {cell(c.get('qps_median'))} | "
            f"{ratio(c.get('qps_median'), k.get('qps_median'))} | {cell(k.get('q_per_server_cpu_s_median'))} | "
            f"{cell(c.get('q_per_server_cpu_s_median'))} | "
            f"{ratio(c.get('q_per_server_cpu_s_median'), k.get('q_per_server_cpu_s_median'))} | "
            f"{k.get('lost_pct_median', 'n/a')} / {c.get('lost_pct_median', 'n/a')} | "
            f"{k.get('p99_ms_median', 'n/a')} / {c.get('p99_ms_median', 'n/a')} | "
            f"{cell(krss / 1024 if krss else None, 1)} | {cell(rss_mb, 1)} | {cell(target, 1)} | {met} | "
            f"{c.get('foreign_cores_median', 'n/a')} |")
    out.append("")
    out.append("Memory target = ((endpoints + services) / 1000 + 54 MB) / 2 (half of CoreDNS's sizing formula), with the lab's summary.json counts: " +
               ", ".join(f"N={n:,}: {s['endpoints']:,} endpoints + {s['services']:,} services -> "
                         f"{memory_target_mb(s):.1f} MB" for n, s in sorted(summaries.items())) + ".")
    out.append("")
    if len(sizes) >= 2 and min(sizes) != max(sizes):
        small, large = min(sizes), max(sizes)
        out.append(f"## Scaling: QPS at N={large:,} / QPS at N={small:,}")
        out.append("")
        out.append("| mix | mode | knot | clusterdns |")
        out.append("|---|---|---|---|")
        for mix, mode in sorted({(mix, mode) for (_, _, mix, mode) in rows}):
            r = [ratio(rows.get((label, large, mix, mode), {}).get("qps_median"),
                       rows.get((label, small, mix, mode), {}).get("qps_median")) for label in ("knot", "clusterdns")]
            out.append(f"| {mix} | {mode} | {r[0]} | {r[1]} |")
        out.append("")
    if startup:
        out.append("## Start-up with N objects in the embedded store")
        out.append("")
        out.append("From the process start to the first correct answer (A 10.96.0.10) for "
                   "kube-dns.kube-system.svc.cluster.local, store filled by `registry-dev import` (bench/startup.py). "
                   "cold: `--snapshot-cache off`, every name compiled from the registry; warm: the snapshot saved at "
                   "the previous graceful stop is served while the registry is read (the store unchanged since). "
                   "Synced: the DNS side has the registry's objects (cold: the first answer; warm: the saved "
                   "answers adopted). Medians of the reps.")
        out.append("")
        out.append("| N | import s | store MB | cold: first answer s | cold: peak RSS MB | warm: first answer s | "
                   "warm: synced s | warm: peak RSS MB |")
        out.append("|---|---|---|---|---|---|---|---|")
        for n, w in sorted(startup.items()):
            out.append(f"| {n:,} | {w.get('import_s')} | {w.get('store_mb')} | {w.get('cold_s')} | "
                       f"{w.get('cold_peak_mb')} | {w.get('warm_s')} | {w.get('warm_synced_s')} | "
                       f"{w.get('warm_peak_mb')} |")
        out.append("")
    if churn:
        out.append("## Freshness under churn")
        out.append("")
        out.append("dnsperf (hit) saturating the server while registry writes go to the embedded API "
                   "(create service, update EndpointSlice, update ExternalName, delete service); per write the time "
                   "from the HTTP acknowledgement to the first DNS answer showing it, polled every ~0.5 ms "
                   "(bench/churn.py). Snapshot build time: /metrics clusterdns_snapshot_build_duration_seconds during "
                   "the churn (median and p99 interpolated in its buckets, >=30000 = the top bucket; mean exact). "
                   "With several runs per N (`REPS`), each on a copy of one import: writes, not visible and builds "
                   "summed over the runs, the other figures their medians, and in brackets each run's p99 and max.")
        out.append("")
        out.append("| N | writes | achieved writes/s | median ms | p99 ms | max ms | within 10 ms | not visible | "
                   "poll RTT median ms | snapshot builds | build median / p99 / mean ms | programming p99 ms | "
                   "dnsperf QPS meanwhile | server alive |")
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for n, w in sorted(churn.items()):
            p99, top = w.get("p99_ms"), w.get("max_ms")
            if "p99_runs" in w:
                p99 += f" ({w['p99_runs'].replace(',', ', ')})"
                top += f" ({w['max_runs'].replace(',', ', ')})"
            out.append(f"| {n:,} | {w.get('writes')} | {w.get('rate')} | {w.get('median_ms')} | {p99} | "
                       f"{top} | {w.get('within10_pct')} % | {w.get('invisible')} | "
                       f"{w.get('poll_rtt_median_ms')} | {w.get('builds')} | {w.get('build_median_ms')} / "
                       f"{w.get('build_p99_ms')} / {w.get('build_mean_ms')} | {w.get('programming_p99_ms')} | {cell(w.get('dnsperf_qps'))} | "
                       f"{w.get('alive')} |")
        out.append("")
    if check:
        out.append("## Answer check (the lab's check-answers.py against clusterdns)")
        out.append("")
        out.append("```")
        out.append(check)
        out.append("```")
        out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
