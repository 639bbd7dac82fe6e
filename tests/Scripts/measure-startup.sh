#!/usr/bin/env bash
# Measures how long the README's run command takes to bring a node up: from launching
# `dotnet run --project src/Gateway.Host` (already built) to the first 200 of /healthz and of
# /readyz, on a fresh data folder each time. Loopback only; RUNS runs (default 5), each bounded
# to 60 s.
#
#   bash tests/Scripts/measure-startup.sh            # builds once, then measures
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
runs="${RUNS:-5}"

dotnet build src/Gateway.Host -v quiet -nologo >/dev/null
now_ms() { date +%s%3N; }

printf '| run | /healthz 200 after (ms) | /readyz 200 after (ms) |\n| --- | --- | --- |\n'
for run in $(seq 1 "$runs"); do
  data=$(mktemp -d)
  port=$((20000 + RANDOM % 20000)); cport=$((40000 + RANDOM % 20000))
  start=$(now_ms)
  GATEWAY_DATA_DIR="$data/data" GATEWAY_URLS="http://127.0.0.1:$port" GATEWAY_CLUSTER_PORT="$cport" \
    timeout 60 dotnet run --project src/Gateway.Host --no-build >"$data/log" 2>&1 &
  pid=$!
  healthy=""; ready=""
  for _ in $(seq 1 1200); do
    if [ -z "$healthy" ] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then healthy=$(( $(now_ms) - start )); fi
    if [ -n "$healthy" ] && curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ready=$(( $(now_ms) - start )); break; fi
    sleep 0.05
  done
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  pkill -f "GATEWAY_URLS=http://127.0.0.1:$port" 2>/dev/null || true
  printf '| %d | %s | %s |\n' "$run" "${healthy:-timeout}" "${ready:-timeout}"
  rm -rf "$data"
done
