#!/usr/bin/env bash
# Runs every test: installs what is needed, starts an in-memory Azurite on free ports, runs the
# whole suite against it, stops what it started, and exits non-zero on any failure.
# Usage: scripts/test.sh [extra dotnet test arguments]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROOT=$(repo_root)
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

require_tools
ensure_node_modules "$ROOT"
# The SMTP provider's tests talk to a real SMTP server (aiosmtpd).
ensure_apt_packages python3-aiosmtpd

mkdir -p artifacts/test
AZURITE_LOG=artifacts/test/azurite.log
start_azurite "$ROOT" "$AZURITE_LOG" --inMemoryPersistence --silent --blobPort 0 --queuePort 0 --tablePort 0
trap 'kill "$AZURITE_PID" 2>/dev/null || true' EXIT
export TEST_STORAGE_CONNECTION
TEST_STORAGE_CONNECTION=$(azurite_connection_string "$AZURITE_BLOB_PORT" "$AZURITE_QUEUE_PORT" "$AZURITE_TABLE_PORT")
log "Azurite (in memory) on ports $AZURITE_BLOB_PORT/$AZURITE_QUEUE_PORT/$AZURITE_TABLE_PORT"

log "building (warnings are errors)"
dotnet build ManagedDistribution.slnx -c Debug -warnaserror -nologo -v quiet

log "running tests"
set +e
dotnet test ManagedDistribution.slnx -c Debug --no-build --nologo "$@" 2>&1 | tee artifacts/test/dotnet-test.log
status=${PIPESTATUS[0]}
set -e

passed=$(sed -n 's/.*Passed: *\([0-9]*\).*/\1/p' artifacts/test/dotnet-test.log | awk '{s+=$1} END {print s+0}')
failed=$(sed -n 's/.*Failed: *\([0-9]*\),.*/\1/p' artifacts/test/dotnet-test.log | awk '{s+=$1} END {print s+0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
exit "$status"
