#!/usr/bin/env bash
# Soak: clusterdns with its embedded registry holding N services (bulk import before the
# start) under saturating dnsperf for DURATION seconds while a churn loop makes RATE registry
# writes per second (create/update/delete of services and endpoint slices over the HTTP API,
# one keep-alive connection: bench/churn.py --load-only). VmRSS of the server is sampled every
# SAMPLE seconds. At the end: crash or not, dnsperf's queries sent/completed/lost, RSS after the
# warm-up (WARM seconds) vs at the end, writes done/failed, and PASS/FAIL on
#   no crash (alive at the end, exit status 0 on SIGTERM), lost queries <= 0.1 %, RSS growth < 10 %.
#
# usage:  bench/soak.sh                          # N=10000, 300 s, 100 writes/s
#         N=1000 DURATION=60 bench/soak.sh       # quick
# Environment (defaults): BENCH_LAB ($repo/../shared/bench), N=10000, DURATION=300, RATE=100,
#   WARM=30, SAMPLE=5, MIXES="hit mixed" (their lines interleaved into one dnsperf file),
#   PORT=5340 API_PORT=5341 HTTP_PORT=5342 (127.0.0.1 only), SCRATCH_PATH=.build, SKIP_BUILD=0,
#   PIN=0 (1: server on core 0, dnsperf on core 1, as the lab's pinned mode; measured at N=10,000
#   on this 2-core VM, the pinned server then managed ~2 registry writes/s instead of 100, its
#   one core taken by DNS and ~1.2 s snapshot builds, so the default leaves both unpinned).
# Traffic only to 127.0.0.1; the processes started here are stopped by their PIDs.
set -euo pipefail

repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
. "$repo/bench/lib.sh"
lab=${BENCH_LAB:-$repo/../shared/bench}
[ -d "$lab/data" ] || { echo "error: no benchmark lab at $lab (set BENCH_LAB)" >&2; exit 1; }
lab=$(cd "$lab" && pwd)
N=${N:-10000}
DURATION=${DURATION:-300}
RATE=${RATE:-100}
WARM=${WARM:-30}
SAMPLE=${SAMPLE:-5}
MIXES=${MIXES:-"hit mixed"}
PORT=${PORT:-5340}
API_PORT=${API_PORT:-5341}
HTTP_PORT=${HTTP_PORT:-5342}
PIN=${PIN:-0}
SCRATCH_PATH=${SCRATCH_PATH:-.build}

for tool in swift dnsperf dig python3 ss taskset; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found" >&2; exit 1; }
done
for port in "$PORT" "$API_PORT" "$HTTP_PORT"; do
  if [ -n "$(ss -Hln "sport = :$port")" ]; then
    echo "error: port $port is already in use: stop that or set PORT/API_PORT/HTTP_PORT" >&2
    exit 1
  fi
done
data=$lab/data/n$N
[ -f "$data/registry.json" ] || { echo "error: no $data/registry.json (generate it with the lab's gen-registry.py)" >&2; exit 1; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== building clusterdns and registry-dev (release)" >&2
  (cd "$repo" && swift build -c release --product clusterdns --scratch-path "$SCRATCH_PATH" >&2 &&
    swift build -c release --product registry-dev --scratch-path "$SCRATCH_PATH" >&2)
fi
bin=$(cd "$repo" && swift build -c release --scratch-path "$SCRATCH_PATH" --show-bin-path)

scratch=$(mktemp -d "${TMPDIR:-/tmp}/clusterdns-soak.XXXXXX")
server_pid="" dnsperf_pid="" churn_pid=""
cleanup() {
  for pid in $churn_pid $dnsperf_pid $server_pid; do kill "$pid" 2>/dev/null || true; done
  for pid in $churn_pid $dnsperf_pid $server_pid; do wait "$pid" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $scratch" >&2; else rm -rf "$scratch"; fi
}
trap cleanup EXIT
mkdir -p "$scratch/zones"

echo "== importing $data/registry.json (N=$N)" >&2
t0=$(date +%s.%N)
"$bin/registry-dev" import --quiet --data-dir "$scratch/data" --service-cidr 10.96.0.0/12 "$data/registry.json" >&2
import_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')

# One query file from the mixes, lines interleaved.
files=()
for mix in $MIXES; do files+=("$data/queries/$mix.txt"); done
paste -d '\n' "${files[@]}" | grep -v '^$' > "$scratch/queries.txt"

pin_server=() pin_dnsperf=()
if [ "$PIN" = 1 ]; then pin_server=(taskset -c 0); pin_dnsperf=(taskset -c 1); fi
echo "== starting clusterdns (embedded registry, DNS 127.0.0.1:$PORT, API :$API_PORT, HTTP :$HTTP_PORT)" >&2
"${pin_server[@]}" "$bin/clusterdns" --dns "127.0.0.1:$PORT" --api "127.0.0.1:$API_PORT" \
  --http "127.0.0.1:$HTTP_PORT" --data-dir "$scratch/data" --zones-dir "$scratch/zones" --upstream none \
  --service-cidr 10.96.0.0/12 --lameduck 0 2>"$scratch/server.log" &
server_pid=$!
start=$(date +%s.%N)
if ! wait_for_kube_dns "$PORT" "$server_pid"; then
  echo "error: clusterdns did not answer; its log:" >&2; tail -20 "$scratch/server.log" >&2; exit 1
fi
ready_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
echo "== ready after ${ready_s} s; soak of ${DURATION} s: dnsperf ($MIXES) + $RATE writes/s" >&2

"${pin_dnsperf[@]}" dnsperf -s 127.0.0.1 -p "$PORT" -d "$scratch/queries.txt" -l "$DURATION" -c 8 -T 2 -q 500 -t 2 \
  -O suppress=timeouts,congestion,unexpected >"$scratch/dnsperf.out" 2>&1 &
dnsperf_pid=$!
python3 "$repo/bench/churn.py" --load-only --api "http://127.0.0.1:$API_PORT" --rate "$RATE" \
  --duration "$DURATION" --stop-file "$scratch/stop" >"$scratch/churn.out" 2>"$scratch/churn.err" &
churn_pid=$!

# RSS samples: "seconds kB", until dnsperf ends (or the server dies).
soak_start=$(date +%s.%N)
: >"$scratch/rss.txt"
died=0
while kill -0 "$dnsperf_pid" 2>/dev/null; do
  if ! kill -0 "$server_pid" 2>/dev/null; then died=1; break; fi
  rss=$(awk '/^VmRSS:/{print $2}' "/proc/$server_pid/status" 2>/dev/null || true)
  t=$(awk -v a="$soak_start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
  [ -n "$rss" ] && echo "$t $rss" >>"$scratch/rss.txt"
  sleep "$SAMPLE"
done
wait "$dnsperf_pid" || true
dnsperf_pid=""
# The writer stops by itself at DURATION; a write still waiting for its answer ends it later.
touch "$scratch/stop"
wait "$churn_pid" || true
churn_pid=""
kill -0 "$server_pid" 2>/dev/null || died=1
rss_end=$(awk '/^VmRSS:/{print $2}' "/proc/$server_pid/status" 2>/dev/null || echo 0)
hwm=$(awk '/^VmHWM:/{print $2}' "/proc/$server_pid/status" 2>/dev/null || echo 0)
exit_status=NA
if [ "$died" = 0 ]; then
  kill -TERM "$server_pid"
  exit_status=0
  wait "$server_pid" || exit_status=$?
else
  wait "$server_pid" || exit_status=$?
fi
server_pid=""

sent=$(awk '/Queries sent:/{print $3}' "$scratch/dnsperf.out")
completed=$(awk '/Queries completed:/{print $3}' "$scratch/dnsperf.out")
lost=$(awk '/Queries lost:/{print $3}' "$scratch/dnsperf.out")
qps=$(awk '/Queries per second:/{print $4}' "$scratch/dnsperf.out")
rcodes=$(sed -n 's/.*Response codes: *//p' "$scratch/dnsperf.out")
writes=NA failed=NA achieved=NA
read -r writes failed achieved < <(awk '/^CHURN_LOAD/{for(i=2;i<=NF;i++){split($i,kv,"=");f[kv[1]]=kv[2]} print f["writes"], f["failed"], f["rate"]}' "$scratch/churn.out") || true
rss_warm=$(awk -v w="$WARM" '$1 >= w {print $2; exit}' "$scratch/rss.txt")
[ -n "$rss_warm" ] || rss_warm=$(awk 'NR==1{print $2}' "$scratch/rss.txt")
rss_last=$(awk 'END{print $2}' "$scratch/rss.txt")
[ "${rss_end:-0}" -gt 0 ] || rss_end=$rss_last

growth=$(awk -v a="${rss_warm:-0}" -v b="${rss_end:-0}" 'BEGIN{ if (a > 0) printf "%.1f", (b-a)/a*100; else print "NA" }')
lost_pct=$(awk -v l="${lost:-0}" -v s="${sent:-0}" 'BEGIN{ if (s > 0) printf "%.3f", l/s*100; else print "NA" }')

crash_ok=$([ "$died" = 0 ] && [ "$exit_status" = 0 ] && echo yes || echo no)
lost_ok=$(awk -v p="$lost_pct" 'BEGIN{ print (p != "NA" && p + 0 <= 0.1) ? "yes" : "no" }')
rss_ok=$(awk -v g="$growth" 'BEGIN{ print (g != "NA" && g + 0 < 10) ? "yes" : "no" }')
verdict=PASS
for ok in "$crash_ok" "$lost_ok" "$rss_ok"; do [ "$ok" = yes ] || verdict=FAIL; done

echo
echo "## soak: N=$N, ${DURATION} s, dnsperf ($MIXES) at saturation + $RATE registry writes/s"
echo
echo "- import: ${import_s} s; ready ${ready_s} s after start"
if [ "$died" = 1 ]; then
  echo "- crash: YES, the server died (exit status $exit_status); log tail:"
  tail -20 "$scratch/server.log" | sed 's/^/      /'
else
  echo "- crash: no (exit status on SIGTERM: $exit_status)"
fi
echo "- dnsperf: ${qps:-NA} QPS; sent ${sent:-NA}, completed ${completed:-NA}, lost ${lost:-NA} (${lost_pct} %); rcodes ${rcodes:-NA}"
echo "- RSS: ${rss_warm:-NA} kB at ${WARM} s, ${rss_end:-NA} kB at the end: growth ${growth} % (peak VmHWM $hwm kB; samples every ${SAMPLE} s)"
echo "- writes: ${writes:-NA} done, ${failed:-NA} failed (${achieved:-NA}/s achieved, $RATE/s asked)"
echo "- no crash: $crash_ok; lost <= 0.1 %: $lost_ok; RSS growth < 10 %: $rss_ok"
echo
echo "SOAK n=$N duration=$DURATION rate=$RATE crash=$([ "$crash_ok" = yes ] && echo no || echo yes) sent=${sent:-NA} completed=${completed:-NA} lost=${lost:-NA} lost_pct=$lost_pct qps=${qps:-NA} rss_warm_kb=${rss_warm:-NA} rss_end_kb=${rss_end:-NA} rss_growth_pct=$growth hwm_kb=$hwm writes=${writes:-NA} failed_writes=${failed:-NA} verdict=$verdict"
echo "$verdict"
mkdir -p "$repo/bench/results"
stamp=$(date -u +%Y%m%d-%H%M%S)
cp "$scratch/rss.txt" "$repo/bench/results/soak-n$N-$stamp.rss"
echo "RSS samples (seconds kB): bench/results/soak-n$N-$stamp.rss" >&2
[ "$verdict" = PASS ]
