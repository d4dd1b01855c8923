#!/usr/bin/env bash
# clusterdns next to Knot DNS in the shared benchmark lab: same data, same dnsperf runs, same
# run (the lab README's "Measuring a new server side by side", option A), then clusterdns/knot
# ratios of QPS and of queries per server CPU-second, and an answer check of clusterdns.
#
# Setup (Debian 12, root), besides Swift 6.3 and libldns-dev for the build:
#   apt-get install -y --no-install-recommends dnsperf knot bind9-dnsutils gcc python3 iproute2
# (knot's own service stays stopped in a container; on a full system it may keep port 53,
# the lab uses 5301 for knot and this script PORT, 5310 by default.)
#
# usage:  bench/compare.sh                       # N=10000, 3 repetitions of 10 s, ~5 min
#         REPS=1 DURATION=5 bench/compare.sh     # quick check, ~2 min
# Environment (defaults):
#   BENCH_LAB     the lab folder ($(git rev-parse --show-toplevel)/../shared/bench)
#   N=10000       services in the generated registry (lab data/n$N, generated if missing)
#   REPS=3 DURATION=10 MODES=pinned MIXES="hit mixed" PROBE=1   passed to run-peers.sh
#   PORT=5310     where clusterdns listens (127.0.0.1 only)
#   SCRATCH_PATH=.build   SwiftPM build directory (another one avoids waiting on a shared .build)
# Output: the lab's markdown table, a ratio table, the check line; the raw RESULT log goes
# to bench/results/ (git-ignored).
set -euo pipefail

repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
lab=${BENCH_LAB:-$repo/../shared/bench}
[ -x "$lab/run-peers.sh" ] || { echo "error: no benchmark lab at $lab (set BENCH_LAB)" >&2; exit 1; }
lab=$(cd "$lab" && pwd)

N=${N:-10000}
PORT=${PORT:-5310}
SCRATCH_PATH=${SCRATCH_PATH:-.build}
export REPS=${REPS:-3} DURATION=${DURATION:-10} MODES=${MODES:-pinned} MIXES=${MIXES:-"hit mixed"}
export PROBE=${PROBE:-1}

for tool in swift dnsperf knotd dig python3 ss; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found (see the setup line at the top)" >&2; exit 1; }
done
# A server already on one of the ports would be measured instead of ours.
for port in 5301 "$PORT"; do
  if [ -n "$(ss -Hlnu "sport = :$port")" ]; then
    echo "error: UDP port $port is already in use (another benchmark?): stop it or set PORT" >&2
    exit 1
  fi
done

echo "== building clusterdns (release)" >&2
(cd "$repo" && swift build -c release --product clusterdns --scratch-path "$SCRATCH_PATH" >&2)
bin=$(cd "$repo" && swift build -c release --scratch-path "$SCRATCH_PATH" --show-bin-path)/clusterdns
# run-peers.sh splits its command on spaces: no quoting is possible there.
case $bin in *" "*) echo "error: the binary path contains a space: $bin" >&2; exit 1 ;; esac

data=$lab/data/n$N
if [ ! -f "$data/registry.json" ]; then
  echo "== generating $data" >&2
  python3 "$lab/gen-registry.py" -n "$N" -o "$data" >/dev/null
fi
if [ ! -f "$data/queries/hit.txt" ]; then
  python3 "$lab/gen-queries.py" "$data/registry.json" >/dev/null
fi

# clusterdns serves exactly the registry, as knot serves exactly the zone files: an empty
# zones directory and a throw-away data directory.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/clusterdns-bench.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
mkdir -p "$scratch/zones"
# No upstream: every query of the lab is ours to answer, and nothing may leave the machine.
args="--zones-dir $scratch/zones --data-dir $scratch/data --upstream none"

mkdir -p "$repo/bench/results"
log=$repo/bench/results/compare-n$N-$(date -u +%Y%m%d-%H%M%S).log
echo "== measuring knot and clusterdns, N=$N reps=$REPS duration=${DURATION}s modes=$MODES mixes=$MIXES" >&2
CUSTOM_PEER="clusterdns:$PORT:$bin --manifests {registry} --dns 127.0.0.1:{port} --threads {workers} $args" \
  PEERS="knot clusterdns" SIZES="$N" OUT="$log" "$lab/run-peers.sh" >&2

echo
python3 "$lab/lib/summarize.py" "$log"
echo
echo "clusterdns / knot (medians, N=$N):"
echo
python3 "$lab/lib/summarize.py" --lines "$log" | awk '
  {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    key = f["mix"] " " f["mode"]
    if (!(key in seen)) { seen[key] = 1; keys[++n] = key }
    qps[f["label"], key] = f["qps_median"]; cpu[f["label"], key] = f["q_per_server_cpu_s_median"]
  }
  function ratio(a, b) { return (a + 0 > 0 && b + 0 > 0) ? sprintf("%.2f", a / b) : "n/a" }
  END {
    print "| mix | mode | QPS knot | QPS clusterdns | ratio | q/server-CPU-s knot | q/server-CPU-s clusterdns | ratio |"
    print "|---|---|---|---|---|---|---|---|"
    for (i = 1; i <= n; i++) {
      k = keys[i]; split(k, km, " ")
      printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", km[1], km[2],
        qps["knot", k], qps["clusterdns", k], ratio(qps["clusterdns", k], qps["knot", k]),
        cpu["knot", k], cpu["clusterdns", k], ratio(cpu["clusterdns", k], cpu["knot", k])
    }
    # The first speed target of issue 2: at least half the queries per server CPU-second of Knot.
    print ""
    for (i = 1; i <= n; i++) {
      k = keys[i]; r = ratio(cpu["clusterdns", k], cpu["knot", k])
      printf "target q/server-CPU-s >= 0.50 x knot, %s: %s\n", k, (r == "n/a" ? "n/a" : (r + 0 >= 0.5 ? "met" : "MISSED"))
    }
  }'

# The numbers only count if the answers are right: the lab's spot check against its zone files.
echo
echo "== checking clusterdns answers (check-answers.py)" >&2
"$bin" --manifests "$data/registry.json" --dns "127.0.0.1:$PORT" $args 2>"$scratch/check.log" &
server_pid=$!
ready=0
for _ in $(seq 1 240); do
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  if dig @127.0.0.1 -p "$PORT" +short +tries=1 +time=1 kube-dns.kube-system.svc.cluster.local A | grep -q '^10\.'; then
    ready=1; break
  fi
  sleep 0.25
done
if [ "$ready" != 1 ]; then
  echo "error: clusterdns did not answer on port $PORT; its log:" >&2
  cat "$scratch/check.log" >&2
  exit 1
fi
status=0
for mix in $MIXES; do
  python3 "$lab/check-answers.py" 127.0.0.1 "$PORT" -n "$N" --mix "$mix" --label clusterdns || status=1
done
kill "$server_pid"
wait "$server_pid" || { echo "error: clusterdns exited with status $? on SIGTERM" >&2; status=1; }
server_pid=""
echo
echo "raw results: $log" >&2
exit $status
