#!/usr/bin/env bash
# Installs (through apt, if missing) and starts a local PostgreSQL on 127.0.0.1:5432 with a
# 'gateway' role (password 'gateway', allowed to create the per-test databases) and a 'gateway'
# database, then prints the connection string for GATEWAY_POSTGRES. Needs root; idempotent.
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "start-postgres: installing PostgreSQL through apt" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  pg_createcluster "$version" main >&2
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster "$version" main start >&2
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p 5432 >&2

psql_admin() { su postgres -c "psql -v ON_ERROR_STOP=1 -qtAc \"$1\""; }
if [ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname='gateway'")" != "1" ]; then
  psql_admin "CREATE ROLE gateway LOGIN CREATEDB PASSWORD 'gateway'" >&2
else
  psql_admin "ALTER ROLE gateway LOGIN CREATEDB PASSWORD 'gateway'" >&2
fi
if [ "$(psql_admin "SELECT 1 FROM pg_database WHERE datname='gateway'")" != "1" ]; then
  su postgres -c "createdb -O gateway gateway" >&2
fi

echo "Host=127.0.0.1;Port=5432;Database=gateway;Username=gateway;Password=gateway"
