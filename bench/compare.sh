#!/usr/bin/env bash
# The issue's benchmark table in one command: clusterdns next to Knot DNS in the shared
# benchmark lab (the lab README's "Measuring a new server side by side", option A: same data,
# same dnsperf runs, same run), for every N of SIZES, then start-up time with N objects in the
# embedded store and freshness under churn; everything goes to BENCHMARKS.md at the top of the
# repository (date, commit, machine load, the exact command) and to stdout.
#
# Setup (Debian 12, root), besides Swift 6.3 and libldns-dev for the build:
#   apt-get install -y --no-install-recommends dnsperf knot bind9-dnsutils gcc python3 iproute2
# (knot's own service stays stopped in a container; on a full system it may keep port 53,
# the lab uses 5301 for knot and this script PORT, 5310 by default.)
#
# usage:  bench/compare.sh                                   # N=1k,10k,100k, REPS=3: ~30 min (estimate)
#         SIZES=1000 REPS=1 DURATION=3 bench/compare.sh      # smoke test, a few minutes
# Environment (defaults):
#   BENCH_LAB     the lab folder ($(git rev-parse --show-toplevel)/../shared/bench)
#   SIZES="1000 10000 100000"   lab sizes (data/n$N, generated when missing)
#   REPS=3 DURATION=10 MODES=pinned MIXES="hit mixed" PROBE=1   passed to run-peers.sh
#   SOURCE=embedded   clusterdns as it runs by default: the lab registry bulk-imported into its
#                     embedded store (bench/serve-embedded.sh); SOURCE=manifests: --manifests FILE
#   PORT=5310     clusterdns DNS port (API PORT+1, /metrics PORT+2; 127.0.0.1 only)
#   CHURN_SIZES   sizes for bench/churn.py (default: 10000 and 100000 when in SIZES, else the
#                 largest of SIZES); CHURN_WRITES=600 CHURN_RATE=100, REPS runs per size; CHURN=0 skips it
#   STARTUP=0 skips bench/startup.py (REPS starts per N)
#   OUTPUT=BENCHMARKS.md (relative to the repository top)
#   SCRATCH_PATH=.build   SwiftPM build directory
# Raw logs go to bench/results/ (git-ignored).
set -euo pipefail

repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
. "$repo/bench/lib.sh"
lab=${BENCH_LAB:-$repo/../shared/bench}
[ -x "$lab/run-peers.sh" ] || { echo "error: no benchmark lab at $lab (set BENCH_LAB)" >&2; exit 1; }
lab=$(cd "$lab" && pwd)

command_line="$(for v in SIZES REPS DURATION MODES MIXES PROBE SOURCE CHURN_SIZES CHURN_WRITES CHURN_RATE CHURN STARTUP; do
  if [ -n "${!v:-}" ]; then printf '%s=%q ' "$v" "${!v}"; fi; done)bench/compare.sh"
SIZES=${SIZES:-"1000 10000 100000"}
PORT=${PORT:-5310}
SOURCE=${SOURCE:-embedded}
SCRATCH_PATH=${SCRATCH_PATH:-.build}
OUTPUT=${OUTPUT:-BENCHMARKS.md}
export REPS=${REPS:-3} DURATION=${DURATION:-10} MODES=${MODES:-pinned} MIXES=${MIXES:-"hit mixed"}
export PROBE=${PROBE:-1}
if [ -z "${CHURN_SIZES:-}" ]; then
  for n in $SIZES; do case $n in 10000 | 100000) CHURN_SIZES="${CHURN_SIZES:-} $n" ;; esac; done
  [ -n "${CHURN_SIZES:-}" ] || CHURN_SIZES=$(printf '%s\n' $SIZES | sort -n | tail -1)
fi

for tool in swift dnsperf knotd dig python3 ss taskset; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found (see the setup line at the top)" >&2; exit 1; }
done
for port in 5301 "$PORT" $((PORT + 1)) $((PORT + 2)); do
  if [ -n "$(ss -Hln "sport = :$port")" ]; then
    echo "error: port $port is already in use (another benchmark?): stop it or set PORT" >&2
    exit 1
  fi
done

echo "== building clusterdns and registry-dev (release)" >&2
# What the binaries are built from, taken now: edits made while the run goes on are not in them.
commit=$(git -C "$repo" rev-parse --short HEAD)
git -C "$repo" diff --quiet HEAD -- Sources Package.swift 2>/dev/null || commit="$commit (with uncommitted changes in Sources/Package.swift)"
(cd "$repo" && swift build -c release --product clusterdns --scratch-path "$SCRATCH_PATH" >&2 &&
  swift build -c release --product registry-dev --scratch-path "$SCRATCH_PATH" >&2)
bin=$(cd "$repo" && swift build -c release --scratch-path "$SCRATCH_PATH" --show-bin-path)
# run-peers.sh splits its command on spaces: no quoting is possible there.
case "$bin $repo" in *" "*" "*) echo "error: a path contains a space: $bin $repo" >&2; exit 1 ;; esac

for n in $SIZES; do
  data=$lab/data/n$n
  if [ ! -f "$data/registry.json" ]; then
    echo "== generating $data" >&2
    python3 "$lab/gen-registry.py" -n "$n" -o "$data" >/dev/null
  fi
  if [ ! -f "$data/queries/hit.txt" ]; then
    python3 "$lab/gen-queries.py" "$data/registry.json" >/dev/null
  fi
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/clusterdns-bench.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
mkdir -p "$scratch/zones" "$scratch/stores"
case $SOURCE in
  embedded) serve="$repo/bench/serve-embedded.sh $bin {registry} {port} {workers} $scratch/stores" ;;
  manifests) serve="$bin/clusterdns --manifests {registry} --dns 127.0.0.1:{port} --threads {workers} --zones-dir $scratch/zones --data-dir $scratch/data --upstream none --http 127.0.0.1:$((PORT + 2))" ;;
  *) echo "error: SOURCE must be embedded or manifests" >&2; exit 1 ;;
esac

mkdir -p "$repo/bench/results"
stamp=$(date -u +%Y%m%d-%H%M%S)
log=$repo/bench/results/compare-$stamp.log
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "== measuring knot and clusterdns ($SOURCE), sizes=$SIZES reps=$REPS duration=${DURATION}s modes=$MODES mixes=$MIXES" >&2
CUSTOM_PEER="clusterdns:$PORT:$serve" PEERS="knot clusterdns" SIZES="$SIZES" OUT="$log" "$lab/run-peers.sh" >&2

# The numbers only count if the answers are right: the lab's spot check, per N, against the
# server started the same way.
check_status=0
: >"$scratch/check.txt"
for n in $SIZES; do
  cmd=${serve//\{registry\}/$lab/data/n$n/registry.json}
  cmd=${cmd//\{port\}/$PORT}
  cmd=${cmd//\{workers\}/2}
  # shellcheck disable=SC2086  # the lab's command convention: words split on spaces
  $cmd 2>"$scratch/check.log" &
  server_pid=$!
  if ! wait_for_kube_dns "$PORT" "$server_pid"; then
    echo "error: clusterdns did not answer on port $PORT (N=$n); its log:" >&2
    cat "$scratch/check.log" >&2
    exit 1
  fi
  for mix in $MIXES; do
    python3 "$lab/check-answers.py" 127.0.0.1 "$PORT" -n "$n" --mix "$mix" --label clusterdns \
      2>&1 | tee -a "$scratch/check.txt" >&2 || check_status=1
  done
  kill "$server_pid"
  wait "$server_pid" || { echo "error: clusterdns exited with status $? on SIGTERM" >&2; check_status=1; }
  server_pid=""
done

startup_log=$repo/bench/results/startup-$stamp.log
: >"$startup_log"
if [ "${STARTUP:-1}" != 0 ]; then
  echo "== start-up time with N objects in the embedded store" >&2
  args=()
  for n in $SIZES; do args+=(-n "$n"); done
  python3 "$repo/bench/startup.py" "${args[@]}" --reps "$REPS" --bin-dir "$bin" --lab "$lab" | tee "$startup_log" >&2
fi

churn_log=$repo/bench/results/churn-$stamp.log
: >"$churn_log"
if [ "${CHURN:-1}" != 0 ]; then
  echo "== freshness under churn, N=$CHURN_SIZES" >&2
  args=()
  for n in $CHURN_SIZES; do args+=(-n "$n"); done
  python3 "$repo/bench/churn.py" "${args[@]}" --writes "${CHURN_WRITES:-600}" --rate "${CHURN_RATE:-100}" --reps "$REPS" \
    --bin-dir "$bin" --lab "$lab" | tee "$churn_log" >&2
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
python3 "$repo/bench/report.py" --lab "$lab" --sizes "$SIZES" --peers-log "$log" --startup-log "$startup_log" \
  --churn-log "$churn_log" --check "$scratch/check.txt" --command "$command_line" --commit "$commit" \
  --started "$started" --source "$SOURCE" --load "$load_before" --load-after "$load_after" \
  --summarize "$lab/lib/summarize.py" >"$repo/$OUTPUT"
cat "$repo/$OUTPUT"
echo >&2
echo "written: $repo/$OUTPUT; raw results: $log $startup_log $churn_log" >&2
exit $check_status
