#!/usr/bin/env bash
# clusterdns as it runs by default (embedded registry), holding the objects of a lab registry:
# bulk-imports REGISTRY_JSON into STORE_DIR/<its folder name> once (registry-dev import), then
# execs clusterdns on it, so the PID the lab measures and stops is the server's own.
#   bench/serve-embedded.sh BIN_DIR REGISTRY_JSON PORT WORKERS STORE_DIR
# DNS on 127.0.0.1:PORT, registry API on PORT+1, /metrics on PORT+2; --upstream none, no static
# zones. Used by bench/compare.sh as the lab's CUSTOM_PEER command.
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: $0 BIN_DIR REGISTRY_JSON PORT WORKERS STORE_DIR" >&2; exit 2; }
bin=$1 registry=$2 port=$3 workers=$4 stores=$5
store=$stores/$(basename "$(dirname "$registry")")
if [ ! -f "$store/imported" ]; then
  rm -rf "$store"
  mkdir -p "$store/zones"
  "$bin/registry-dev" import --quiet --data-dir "$store/data" --service-cidr 10.96.0.0/12 "$registry" >&2
  touch "$store/imported"
fi
exec "$bin/clusterdns" --dns "127.0.0.1:$port" --api "127.0.0.1:$((port + 1))" --http "127.0.0.1:$((port + 2))" \
  --threads "$workers" --data-dir "$store/data" --zones-dir "$store/zones" --upstream none \
  --service-cidr 10.96.0.0/12 --lameduck 0
