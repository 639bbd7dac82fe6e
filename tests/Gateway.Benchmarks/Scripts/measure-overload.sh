#!/usr/bin/env bash
# measure-overload.sh - the partner API driven past what the journal takes, at default settings:
# more concurrent connections than gateway.partner-api.max-in-flight (2,000), for a fixed time.
#
#   bash tests/Gateway.Benchmarks/Scripts/measure-overload.sh [CONNECTIONS] [SUBSCRIBERS] [INGRESS_RATE]
#
# Starts one node (Release build, SQLite journal in a temp folder, synchronous=FULL, the embedded
# simulator as the network; every setting at its default except GATEWAY_INGRESS_RATE when given),
# provisions a partner and SUBSCRIBERS subscribers, and runs the shared load shape
# (../shared/anchors/kannel/load.sh: wrk, 20 s, SMS of 100 characters, recipients cycling over the
# subscribers) with CONNECTIONS connections. Meanwhile it samples the node's resident memory every
# second. Afterwards it waits for the simulator to have delivered what was answered 202 and counts
# the handsets' inboxes: every 202 must be there once, and nothing more (a 503 stores nothing).
# Loopback only; every step is bounded in time.
set -euo pipefail

connections="${1:-3000}"
subscribers="${2:-10000}"
ingress_rate="${3:-}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
scripts="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
anchor="${ANCHOR_DIR:-$repo/../shared/anchors/kannel}"
port="${PORT:-5381}"
base="http://127.0.0.1:$port"
work="$(mktemp -d)"
token="bench-admin-token"
secret="bench-client-secret"
number_base=46700000000

command -v wrk >/dev/null || { echo "measure-overload.sh: needs wrk (apt-get install wrk)" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)"
dotnet build -c Release "$repo/src/Gateway.Host" -v q -nologo >/dev/null

env GATEWAY_DATA_DIR="$work/data" GATEWAY_URLS="$base" GATEWAY_CLUSTER_PORT=0 GATEWAY_ADMIN_TOKEN="$token" \
  ${ingress_rate:+GATEWAY_INGRESS_RATE="$ingress_rate"} \
  dotnet "$repo/src/Gateway.Host/bin/Release/net10.0/Gateway.Host.dll" >"$work/node.log" 2>&1 &
node=$!
sampler=""
trap 'kill -9 $node 2>/dev/null || true; [ -n "$sampler" ] && kill $sampler 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  curl -sf "$base/readyz" >/dev/null && break
  sleep 0.5
done
curl -sf "$base/readyz" >/dev/null || { echo "node did not become ready" >&2; cat "$work/node.log" >&2; exit 1; }

timeout 600 python3 "$scripts/provision.py" "$base" "$token" "$secret" "http://127.0.0.1:9/hook" "$subscribers" "$number_base"
rss() { awk '/VmRSS/ {print $2}' "/proc/$node/status"; }
echo "node RSS before the load: $(( $(rss) / 1024 )) MiB"

( while kill -0 $node 2>/dev/null; do echo "$(date +%s) $(rss)"; sleep 1; done ) >"$work/rss" &
sampler=$!
echo "== $connections connections for 20 s${ingress_rate:+, GATEWAY_INGRESS_RATE=$ingress_rate}"
LOAD_CONNS="$connections" LOAD_METHOD=POST LOAD_PATH=/v1/messages LOAD_NUMBERS="$subscribers" \
LOAD_NUMBER_BASE="$number_base" LOAD_FROM=12345 LOAD_HEADERS="Authorization: Bearer $secret" \
LOAD_BODY='{"type":"sms","from":"{from}","to":["+{to}"],"owner":"+{to}","text":"{text_json}"}' \
  bash "$anchor/load.sh" "$base" 100 "$work/load.out"
kill $sampler 2>/dev/null || true
sampler=""
accepted="$(sed -n 's/^LOADJSON .*"accepted":\([0-9]*\).*/\1/p' "$work/load.out")"
echo "node RSS during the load: peak $(( $(sort -k2 -n "$work/rss" | tail -1 | cut -d' ' -f2) / 1024 )) MiB, samples (MiB): $(awk '{printf "%d ", $2/1024}' "$work/rss")"
echo "node RSS after the load: $(( $(rss) / 1024 )) MiB (VmHWM $(awk '/VmHWM/ {print int($2/1024)}' /proc/$node/status) MiB)"

# The journal's own count, read once the drain is over: terminations written, and of those withdrawn
# (written after their deadline, answered 503). Every written and not withdrawn message was
# answered 202 and must reach its handset once; wrk's 202 count can be lower by the requests still
# in flight when it stopped (it closes their connections; the node answers them anyway).
journal_counts() {
  python3 - "$work/data" <<'PY'
import glob, sqlite3, sys
db = next(p for p in glob.glob(sys.argv[1] + "/**/*.db", recursive=True))
rows = dict(sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute(
    "SELECT manifest, COUNT(*) FROM journal WHERE manifest IN ('subscriber.message-accepted.v1', 'subscriber.message-withdrawn.v1') GROUP BY manifest"))
print(rows.get("subscriber.message-accepted.v1", 0), rows.get("subscriber.message-withdrawn.v1", 0))
PY
}
inboxes() {
  timeout 300 python3 - "$base" "$token" "$subscribers" "$number_base" <<'PY'
import concurrent.futures, http.client, json, sys, urllib.parse
base, token, count, number_base = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
url = urllib.parse.urlparse(base)
def inbox(i):
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("GET", f"/sim/handsets/+{number_base + count + i}/messages", headers={"Authorization": f"Bearer {token}"})
    body = json.loads(conn.getresponse().read())
    conn.close()
    return len(body)
with concurrent.futures.ThreadPoolExecutor(16) as pool:
    print(sum(pool.map(inbox, range(count))))
PY
}
sleep 10 # the requests still in flight when wrk stopped get their verdict (accept-timeout + grace)
for _ in $(seq 1 120); do
  read -r written withdrawn < <(journal_counts)
  delivered="$(inboxes)"
  echo "delivered $delivered of $((written - withdrawn)) written and not withdrawn"
  [ "$delivered" -ge "$((written - withdrawn))" ] && break
  sleep 5
done
sleep 3
delivered="$(inboxes)"
read -r written withdrawn < <(journal_counts)
verdict="MISMATCH"
[ "$delivered" -eq "$((written - withdrawn))" ] && verdict="each delivered once, nothing else"
echo "RESULT wrk saw 202: $accepted; journal: $written written, $withdrawn withdrawn; delivered: $delivered ($verdict)"
cp "$work/node.log" "${NODE_LOG_COPY:-/dev/null}" || true
grep -c "WARN\|ERROR" "$work/node.log" | xargs echo "node log warnings/errors:" || true
[ "$verdict" != "MISMATCH" ]
