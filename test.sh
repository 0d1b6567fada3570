#!/usr/bin/env bash
# Runs the whole Keyhaven test suite and ends with one line of totals: "N passed, N failed[, N skipped]".
# Installs what the tests need when it is missing (Debian's AWS CLI v2 and PostgreSQL, as root via apt-get), starts a
# throwaway PostgreSQL cluster, runs the suite (the storage contract on SQLite and PostgreSQL) and then the server
# tests again on PostgreSQL, and stops the cluster.
set -uo pipefail
cd "$(dirname "$0")"

if [ ! -x /usr/bin/aws ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's awscli (the tests drive the real AWS CLI)..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli >/dev/null
  else
    echo "The tests need Debian's AWS CLI at /usr/bin/aws: sudo apt-get install awscli" >&2
    exit 1
  fi
fi

# The AWS Encryption SDK for JavaScript, for the encryption SDK's interoperability tests (locked by package-lock.json).
esdk_js=tests/Keyhaven.Encryption.Tests/Interop/js
if [ ! -d "$esdk_js/node_modules" ]; then
  echo "Installing the AWS Encryption SDK for JavaScript (npm ci in $esdk_js)..."
  (cd "$esdk_js" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || { echo "npm ci failed in $esdk_js" >&2; exit 1; }
fi

# PostgreSQL: Debian's server binaries (initdb, pg_ctl) for a throwaway cluster.
postgres_bin() {
  local initdb
  for initdb in "$(command -v initdb)" /usr/lib/postgresql/*/bin/initdb; do
    if [ -n "$initdb" ] && [ -x "$initdb" ]; then dirname "$(readlink -f "$initdb")"; return 0; fi
  done
  return 1
}
if ! pgbin=$(postgres_bin); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's PostgreSQL (the storage and server tests run on it too)..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  pgbin=$(postgres_bin) || { echo "The tests need PostgreSQL's initdb and pg_ctl: sudo apt-get install postgresql" >&2; exit 1; }
fi

# A throwaway cluster: its own temporary directory and port, owned by an unprivileged user (PostgreSQL refuses to run
# as root), no fsync (nothing here must survive a power cut). Stopped and deleted on exit.
pgdir=$(mktemp -d /tmp/keyhaven-pg.XXXXXX)
as_postgres() { if [ "$(id -u)" = 0 ]; then (cd "$pgdir" && runuser -u nobody -- "$@"); else (cd "$pgdir" && "$@"); fi; }
stop_postgres() {
  as_postgres "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$pgdir"
}
trap stop_postgres EXIT
[ "$(id -u)" = 0 ] && chown nobody "$pgdir"
as_postgres "$pgbin/initdb" -D "$pgdir/data" -U keyhaven --auth=trust -E UTF8 --no-sync >/dev/null || { echo "initdb failed" >&2; exit 1; }
for attempt in 1 2 3 4 5; do
  pgport=$((40000 + RANDOM % 20000))
  if as_postgres "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -o "-p $pgport -k $pgdir -c listen_addresses=127.0.0.1 \
      -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" start >/dev/null; then
    break
  fi
  [ "$attempt" = 5 ] && { cat "$pgdir/log" >&2; echo "PostgreSQL did not start" >&2; exit 1; }
done
export KEYHAVEN_TEST_POSTGRES="Host=127.0.0.1;Port=$pgport;Username=keyhaven;Database=postgres"
export KEYHAVEN_TEST_POSTGRES_BIN="$pgbin" # for the tests that stop and start a cluster of their own

# The interop tests check Keyhaven's cryptography with the real openssl command.
if ! command -v openssl >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's openssl (the interop tests drive the real openssl command)..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
  else
    echo "The tests need the openssl command: sudo apt-get install openssl" >&2
    exit 1
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log=$(mktemp)
dotnet test Keyhaven.slnx --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# The matrix's second leg: the server tests again, on PostgreSQL instead of each data directory's SQLite file.
echo "Server tests on PostgreSQL:"
KEYHAVEN_TEST_STORAGE=postgres dotnet test tests/Keyhaven.Server.Tests --nologo --no-build "$@" 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" -ne 0 ] && status=1

# Sum the per-assembly summaries ("Passed!  - Failed: 0, Passed: 78, Skipped: 0, Total: 78, ...").
totals=$(grep -E '^(Passed|Failed)! +- ' "$log" | awk -F'[:,]' '
  { failed += $2; passed += $4; skipped += $6; runs++ }
  END { printf "%d %d %d %d", passed, failed, skipped, runs }')
read -r passed failed skipped runs <<<"$totals"
rm -f "$log"
if [ "${runs:-0}" -eq 0 ]; then
  echo "0 passed, 1 failed"
  echo "No test assembly reported results (build failure?)." >&2
  exit 1
fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
  exit 1
fi
