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
# subscribers) with CONNECTIONS connections, ROUNDS times (default 3). Meanwhile it samples the
# node's resident memory every second. Afterwards it waits for the simulator to have delivered what was answered 202 and counts
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

# INBOX_LIMIT: messages the simulator keeps per handset (default: the node's default, 1,000). A
# small limit keeps the simulator's own memory out of the node's figures; the deliveries are then
# counted from the journal only.
if [ -n "${INBOX_LIMIT:-}" ]; then
  echo "gateway.network.simulator-inbox-limit = $INBOX_LIMIT" >"$work/overload.hocon"
fi
env GATEWAY_DATA_DIR="$work/data" GATEWAY_URLS="$base" GATEWAY_CLUSTER_PORT=0 GATEWAY_ADMIN_TOKEN="$token" \
  ${ingress_rate:+GATEWAY_INGRESS_RATE="$ingress_rate"} ${INBOX_LIMIT:+GATEWAY_CONFIG_FILE="$work/overload.hocon"} \
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

( while kill -0 $node 2>/dev/null; do
    echo "$(date +%s) $(rss) $(awk '/RssAnon/ {print $2}' "/proc/$node/status")"
    sleep 1
  done ) >"$work/rss" &
sampler=$!
# The same load ROUNDS times (default 3), 10 s apart: memory that a later round does not add to is
# bounded; memory that grows with every round is not.
rounds="${ROUNDS:-3}"
accepted=0
for round in $(seq 1 "$rounds"); do
  echo "== round $round of $rounds: $connections connections for ${LOAD_DURATION:-20} s${ingress_rate:+, GATEWAY_INGRESS_RATE=$ingress_rate}"
  from=$(wc -l <"$work/rss")
  LOAD_CONNS="$connections" LOAD_METHOD=POST LOAD_PATH=/v1/messages LOAD_NUMBERS="$subscribers" \
  LOAD_NUMBER_BASE="$number_base" LOAD_FROM=12345 LOAD_HEADERS="Authorization: Bearer $secret" \
  LOAD_BODY='{"type":"sms","from":"{from}","to":["+{to}"],"owner":"+{to}","text":"{text_json}"}' \
    bash "$anchor/load.sh" "$base" 100 "$work/load.out" | grep -E "LOADJSON|Latency|^ +(50|90|99)%"
  accepted=$((accepted + $(sed -n 's/^LOADJSON .*"accepted":\([0-9]*\).*/\1/p' "$work/load.out")))
  echo "node RSS in round $round (MiB, each second): $(tail -n +"$((from + 1))" "$work/rss" | awk '{printf "%d ", $2/1024}')"
  echo "  of which anonymous (heap, stacks): $(tail -n +"$((from + 1))" "$work/rss" | awk '{printf "%d ", $3/1024}')"
  sleep 10
done
kill $sampler 2>/dev/null || true
sampler=""
echo "node RSS after the load: $(( $(rss) / 1024 )) MiB (VmHWM $(awk '/VmHWM/ {print int($2/1024)}' /proc/$node/status) MiB)"

# The journal's own count, read once the drain is over: terminations written, and of those withdrawn
# (written after their deadline, answered 503). Every written and not withdrawn message was
# answered 202 and must reach its handset once; wrk's 202 count can be lower by the requests still
# in flight when it stopped (it closes their connections; the node answers them anyway).
journal_counts() {
  python3 - "$work/data" <<'PY'
import glob, sqlite3, sys
db = next(p for p in glob.glob(sys.argv[1] + "/**/*.db", recursive=True))
journal = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
rows = dict(journal.execute(
    "SELECT manifest, COUNT(*) FROM journal WHERE manifest IN ('subscriber.message-accepted.v1', 'subscriber.message-withdrawn.v1') GROUP BY manifest"))
delivered = journal.execute("SELECT COUNT(*) FROM journal WHERE manifest = 'subscriber.delivery-attempted.v1' "
    "AND CAST(message AS TEXT) LIKE '%\"result\":\"delivered\"%'").fetchone()[0]
print(rows.get("subscriber.message-accepted.v1", 0), rows.get("subscriber.message-withdrawn.v1", 0), delivered)
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
# Delivered: per the journal (an attempt journaled as delivered) and, unless the inboxes are cut
# short by INBOX_LIMIT, per the handsets themselves.
for _ in $(seq 1 120); do
  read -r written withdrawn journaled_delivered < <(journal_counts)
  echo "delivered (journal) $journaled_delivered of $((written - withdrawn)) written and not withdrawn"
  [ "$journaled_delivered" -ge "$((written - withdrawn))" ] && break
  sleep 5
done
sleep 3
read -r written withdrawn journaled_delivered < <(journal_counts)
on_handsets="not counted (INBOX_LIMIT)"
[ -z "${INBOX_LIMIT:-}" ] && on_handsets="$(inboxes)"
verdict="MISMATCH"
[ "$journaled_delivered" -eq "$((written - withdrawn))" ] && { [ -n "${INBOX_LIMIT:-}" ] || [ "$on_handsets" -eq "$journaled_delivered" ]; } \
  && verdict="each delivered once, nothing else"
echo "RESULT wrk saw 202: $accepted; journal: $written written, $withdrawn withdrawn, $journaled_delivered delivered; on the handsets: $on_handsets ($verdict)"
cp "$work/node.log" "${NODE_LOG_COPY:-/dev/null}" || true
grep -c "WARN\|ERROR" "$work/node.log" | xargs echo "node log warnings/errors:" || true
[ "$verdict" != "MISMATCH" ]
