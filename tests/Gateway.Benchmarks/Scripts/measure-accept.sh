#!/usr/bin/env bash
# measure-accept.sh - messages accepted per second through POST /v1/messages, with the shared
# load shape of ../../../../shared/anchors/kannel/load.sh (wrk, 16 connections, closed loop, 20 s,
# one SMS per request, recipients cycling over LOAD_NUMBERS subscribers).
#
#   bash tests/Gateway.Benchmarks/Scripts/measure-accept.sh [TEXT_LEN] [SUBSCRIBERS]
#   SYNCHRONOUS=normal bash ...                       # SQLite without an fsync per commit (Kannel's class)
#   STORAGE=postgres POSTGRES="<connection string of an empty database>" bash ...
#
# Starts one node (Release build, SQLite journal in a temp folder, the embedded simulator as the
# network), provisions a partner and SUBSCRIBERS subscribers whose DIDs are the load's recipients,
# runs the load, prints wrk's report and the LOADJSON line, and the node's peak memory.
# Loopback only; every step is bounded in time.
set -euo pipefail

text_len="${1:-100}"
subscribers="${2:-10000}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
anchor="${ANCHOR_DIR:-$repo/../shared/anchors/kannel}"
port="${PORT:-5380}"
base="http://127.0.0.1:$port"
work="$(mktemp -d)"
token="bench-admin-token"
secret="bench-client-secret"
number_base=46700000000

command -v wrk >/dev/null || { echo "measure-accept.sh: needs wrk (apt-get install wrk)" >&2; exit 2; }
dotnet build -c Release "$repo/src/Gateway.Host" -v q -nologo >/dev/null

# The partner API's rate limit (GATEWAY_INGRESS_RATE, 100/s per partner by default) would measure
# itself: lifted. STORAGE/POSTGRES/SYNCHRONOUS choose the journal (default: SQLite, synchronous=full).
if [ -n "${SYNCHRONOUS:-}" ]; then
  printf 'gateway.storage.sqlite.synchronous = %s\n' "$SYNCHRONOUS" >"$work/accept.hocon"
fi
env GATEWAY_DATA_DIR="$work/data" GATEWAY_URLS="$base" GATEWAY_CLUSTER_PORT=0 GATEWAY_ADMIN_TOKEN="$token" \
  GATEWAY_INGRESS_RATE=1000000 GATEWAY_STORAGE="${STORAGE:-sqlite}" ${POSTGRES:+GATEWAY_POSTGRES="$POSTGRES"} \
  ${SYNCHRONOUS:+GATEWAY_CONFIG_FILE="$work/accept.hocon"} \
  dotnet "$repo/src/Gateway.Host/bin/Release/net10.0/Gateway.Host.dll" >"$work/node.log" 2>&1 &
node=$!
trap 'kill -9 $node 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  curl -sf "$base/readyz" >/dev/null && break
  sleep 0.5
done
curl -sf "$base/readyz" >/dev/null || { echo "node did not become ready" >&2; cat "$work/node.log" >&2; exit 1; }

timeout 600 python3 "$(dirname "${BASH_SOURCE[0]}")/provision.py" "$base" "$token" "$secret" "http://127.0.0.1:9/hook" \
  "$subscribers" "$number_base"

load() {
  LOAD_METHOD=POST LOAD_PATH=/v1/messages LOAD_NUMBERS="$subscribers" LOAD_NUMBER_BASE="$number_base" LOAD_FROM=12345 \
  LOAD_HEADERS="Authorization: Bearer $secret" \
  LOAD_BODY='{"type":"sms","from":"{from}","to":["+{to}"],"owner":"+{to}","text":"{text_json}"}' \
    bash "$anchor/load.sh" "$base" "$text_len"
}
# First run: every subscriber entity starts (recovery, remember-entities write) during the load.
# Second run, at once: the same entities, already running (steady state).
echo "== cold: subscriber entities start during the load"
load
echo "== warm: the same load again, entities running"
load

echo "node peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$node/status), now: $(awk '/VmRSS/ {print $2, $3}' /proc/$node/status)"
