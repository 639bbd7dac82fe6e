#!/usr/bin/env bash
# The cluster of docker/compose.yaml as local processes on the loopback interface: PostgreSQL,
# three gateway nodes and the demo partner, with the same GATEWAY_* settings and ports
# (tests/Gateway.Host.Tests/Node/ClusterTopologySpecs.cs checks that the two agree).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bash docker/local-cluster.sh [--help | --print-env 1|2|3|partner]

Starts a three-node gateway cluster on this machine, without Docker:
  - PostgreSQL on 127.0.0.1:5432 through .ci/start-postgres.sh (installs it through apt if
    missing; needs root, so it runs under sudo otherwise), database/user/password "gateway";
  - dotnet build -c Release of the gateway and the demo partner;
  - the demo partner on http://127.0.0.1:5090 (webhook POSTs on any path, GET /received);
  - node N (1, 2, 3) with HTTP on http://127.0.0.1:508N and cluster remoting on 127.0.0.1:405(2+N),
    its data folder in cluster/nodeN and its log in cluster/nodeN.log.
It waits until every node's /readyz answers 200, prints the URLs and the admin token, and stays
in the foreground. Ctrl-C (or SIGTERM to this script) stops each node gracefully (it leaves the
cluster), waits for them, then stops the partner. PostgreSQL keeps running, as a system service
(pg_ctlcluster <version> main stop stops it; the cluster's data stays in its "gateway" database).

Environment:
  GATEWAY_ADMIN_TOKEN   admin token of every node (default: change-me)
  DEMO_PARTNER_TOKEN    bearer the demo partner requires (default: none, any request is taken)
  DEMO_PARTNER_FAIL     true: the demo partner answers 503, to watch store-and-forward (default: false)
  CLUSTER_STATE_DIR     where the data folders and logs go (default: cluster/ in the repository)
  CLUSTER_READY_TIMEOUT seconds to wait for the nodes to become ready (default: 120)

--print-env N prints the environment node N (or the partner) runs with, one KEY=value a line.
EOF
}

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state_dir="${CLUSTER_STATE_DIR:-$repo_root/cluster}"
ready_timeout="${CLUSTER_READY_TIMEOUT:-120}"
# as stop_grace_period in docker/compose.yaml: a graceful leave hands off shards and finishes webhook calls
stop_timeout=60
nodes=(1 2 3)
postgres_connection="Host=127.0.0.1;Port=5432;Database=gateway;Username=gateway;Password=gateway"
host_dll="$repo_root/src/Gateway.Host/bin/Release/net10.0/Gateway.Host.dll"
partner_dll="$repo_root/src/Gateway.DemoPartner/bin/Release/net10.0/Gateway.DemoPartner.dll"

# The settings of node $1, as in docker/compose.yaml with 127.0.0.1 for every service name.
node_env() {
  local n=$1
  cat <<EOF
GATEWAY_STORAGE=postgres
GATEWAY_POSTGRES=$postgres_connection
GATEWAY_ADMIN_TOKEN=${GATEWAY_ADMIN_TOKEN:-change-me}
GATEWAY_DATA_DIR=$state_dir/node$n
GATEWAY_SEED_NODES=akka.tcp://gateway@127.0.0.1:4053,akka.tcp://gateway@127.0.0.1:4054,akka.tcp://gateway@127.0.0.1:4055
GATEWAY_RETRY_INTERVAL=30s
GATEWAY_MESSAGE_TTL=7d
GATEWAY_REQUEST_TIMEOUT=10s
GATEWAY_EGRESS_RATE=1
GATEWAY_INGRESS_RATE=100
GATEWAY_COPY_INTERVAL=4m
GATEWAY_COPY_BATCH=50
GATEWAY_REASSEMBLY_TIMEOUT=5m
GATEWAY_URLS=http://127.0.0.1:508$n
GATEWAY_CLUSTER_HOST=127.0.0.1
GATEWAY_CLUSTER_PORT=$((4052 + n))
EOF
}

partner_env() {
  cat <<EOF
DEMO_PARTNER_URLS=http://127.0.0.1:5090
DEMO_PARTNER_TOKEN=${DEMO_PARTNER_TOKEN:-}
DEMO_PARTNER_FAIL=${DEMO_PARTNER_FAIL:-false}
EOF
}

http_port() { echo $((5080 + $1)); }

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  --print-env)
    case "${2:-}" in
      1|2|3) node_env "$2"; exit 0 ;;
      partner) partner_env; exit 0 ;;
      *) echo "local-cluster: --print-env takes 1, 2, 3 or partner" >&2; exit 2 ;;
    esac ;;
  "") ;;
  *) usage >&2; exit 2 ;;
esac

say() { echo "local-cluster: $*"; }
fail() { echo "local-cluster: $*" >&2; exit 1; }

declare -A pids=()      # role (node1, node2, node3, partner) -> process id
stopping=0

# Starts "$@" in the background with the KEY=value lines on stdin as its only GATEWAY_*/DEMO_PARTNER_*
# settings (none inherited from this shell), output to log file $1, and records its pid as role $2.
start_process() {
  local log=$1 role=$2; shift 2
  local env_args=() name line
  while IFS= read -r name; do env_args+=(-u "$name"); done < <(compgen -e | grep -E '^(GATEWAY_|DEMO_PARTNER_)' || true)
  while IFS= read -r line; do [ -n "$line" ] && env_args+=("$line"); done
  env "${env_args[@]}" "$@" >"$log" 2>&1 &
  pids[$role]=$!
}

is_running() { kill -0 "$1" 2>/dev/null; }

show_log_tail() {
  echo "--- last lines of $1 ---" >&2
  tail -n 30 "$1" >&2 || true
  echo "---" >&2
}

# Sends SIGTERM to the given roles and waits up to $1 seconds for them, then SIGKILLs what is left.
stop_roles() {
  local timeout=$1; shift
  local role deadline=$((SECONDS + timeout))
  for role in "$@"; do
    [ -n "${pids[$role]:-}" ] && is_running "${pids[$role]}" && kill -TERM "${pids[$role]}" 2>/dev/null || true
  done
  for role in "$@"; do
    [ -n "${pids[$role]:-}" ] || continue
    while is_running "${pids[$role]}" && [ $SECONDS -lt $deadline ] && [ $stopping -lt 2 ]; do
      sleep 0.2
    done
    if is_running "${pids[$role]}"; then
      if [ $stopping -ge 2 ]; then say "killing $role (SIGKILL: a second signal)"; else say "$role did not stop within ${timeout}s; killing it (SIGKILL)"; fi
      kill -KILL "${pids[$role]}" 2>/dev/null || true
    fi
    local status=0
    wait "${pids[$role]}" 2>/dev/null || status=$?
    say "$role stopped (exit code $status)"
    unset "pids[$role]"
  done
}

stop_everything() {
  local roles=() n
  [ $stopping -ge 1 ] || stopping=1   # from here on, a signal means: kill what is left
  for n in "${nodes[@]}"; do [ -n "${pids[node$n]:-}" ] && roles+=("node$n"); done
  if [ ${#roles[@]} -gt 0 ]; then
    say "stopping ${roles[*]} (graceful leave, up to ${stop_timeout}s; Ctrl-C again kills them)"
    # (bash's own notice of a process ended by a signal is left out: the exit code says it)
    stop_roles "$stop_timeout" "${roles[@]}" 2>/dev/null
  fi
  if [ -n "${pids[partner]:-}" ]; then
    stop_roles 10 partner 2>/dev/null
  fi
}

on_signal() {
  stopping=$((stopping + 1))
  if [ $stopping -eq 1 ]; then
    stop_everything
    exit 0
  fi
}

trap on_signal INT TERM
trap stop_everything EXIT

# Waits until $2 answers 200, for at most until $3 (in $SECONDS); role $1's log explains a failure.
wait_until_answers() {
  local role=$1 url=$2 deadline=$3
  until curl -fsS -o /dev/null -m 2 "$url" 2>/dev/null; do
    if ! is_running "${pids[$role]}"; then
      show_log_tail "$state_dir/$role.log"
      fail "$role exited before $url answered 200"
    fi
    if [ $SECONDS -ge "$deadline" ]; then
      show_log_tail "$state_dir/$role.log"
      fail "$url did not answer 200 within ${ready_timeout}s"
    fi
    sleep 0.5
  done
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

command -v dotnet >/dev/null 2>&1 || fail "the .NET 10 SDK (dotnet) is required"
command -v curl >/dev/null 2>&1 || fail "curl is required"
for port in 5090 5081 5082 5083 4053 4054 4055; do
  port_in_use "$port" && fail "port $port on 127.0.0.1 is already in use (another cluster still running?)"
done

mkdir -p "$state_dir"

say "starting PostgreSQL (.ci/start-postgres.sh)"
if [ "$(id -u)" -eq 0 ]; then
  started_connection="$(bash "$repo_root/.ci/start-postgres.sh")"
else
  started_connection="$(sudo bash "$repo_root/.ci/start-postgres.sh")"
fi
[ "$started_connection" = "$postgres_connection" ] \
  || fail "start-postgres.sh printed '$started_connection', expected '$postgres_connection'"

say "building (dotnet build -c Release; log in $state_dir/build.log)"
if ! { dotnet build "$repo_root/src/Gateway.Host/Gateway.Host.csproj" -c Release -nologo \
       && dotnet build "$repo_root/src/Gateway.DemoPartner/Gateway.DemoPartner.csproj" -c Release -nologo; } \
     >"$state_dir/build.log" 2>&1; then
  show_log_tail "$state_dir/build.log"
  fail "the build failed"
fi

deadline=$((SECONDS + ready_timeout))
start_process "$state_dir/partner.log" partner dotnet "$partner_dll" < <(partner_env)
wait_until_answers partner http://127.0.0.1:5090/healthz "$deadline"

for n in "${nodes[@]}"; do
  mkdir -p "$state_dir/node$n"
  start_process "$state_dir/node$n.log" "node$n" dotnet "$host_dll" < <(node_env "$n")
done
for n in "${nodes[@]}"; do
  wait_until_answers "node$n" "http://127.0.0.1:$(http_port "$n")/readyz" "$deadline"
  say "node$n ready"
done

cat <<EOF

Cluster up: three nodes in one cluster, journal in PostgreSQL (Database=gateway on 127.0.0.1:5432).
  node1          http://127.0.0.1:5081   log $state_dir/node1.log
  node2          http://127.0.0.1:5082   log $state_dir/node2.log
  node3          http://127.0.0.1:5083   log $state_dir/node3.log
  demo partner   http://127.0.0.1:5090   GET /received; provision "primaryUrl": "http://127.0.0.1:5090/hook"
                                         log $state_dir/partner.log
  admin token    ${GATEWAY_ADMIN_TOKEN:-change-me}
Stop with Ctrl-C (or kill -TERM $$): each node leaves the cluster gracefully, then the partner stops.
EOF

# stay in the foreground; report a process that ends on its own
while true; do
  for role in "${!pids[@]}"; do
    if ! is_running "${pids[$role]}"; then
      status=0
      wait "${pids[$role]}" 2>/dev/null || status=$?
      say "$role exited on its own (exit code $status); see $state_dir/$role.log"
      unset "pids[$role]"
    fi
  done
  [ -n "${pids[node1]:-}${pids[node2]:-}${pids[node3]:-}" ] || fail "no node is running any more"
  sleep 1 &
  wait $! || true
done
