#!/usr/bin/env bash
# Runs the whole Keyhaven test suite and ends with one line of totals: "N passed, N failed[, N skipped]".
# Installs what the tests need when it is missing (Debian's AWS CLI v2, as root via apt-get).
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
