#!/usr/bin/env bash
# Runs the service locally: installs what it needs, starts Azurite with data kept in .data/
# (unless one already answers on the configured ports), the Apple-services emulator (APNs, Apps
# and Books, simulated devices), and the app in standalone mode on a fixed port.
# Settings: PORT (default 7071), AZURITE_{BLOB,QUEUE,TABLE}_PORT (default 10000-10002).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROOT=$(repo_root)
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

PORT=${PORT:-7071}
BLOB=${AZURITE_BLOB_PORT:-10000}; QUEUE=${AZURITE_QUEUE_PORT:-10001}; TABLE=${AZURITE_TABLE_PORT:-10002}
DATA="$ROOT/.data"
mkdir -p "$DATA/azurite"

require_tools
ensure_node_modules "$ROOT"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

if port_open "$TABLE" && port_open "$QUEUE"; then
  log "using the storage emulator already listening on ports $QUEUE/$TABLE"
else
  start_azurite "$ROOT" "$DATA/azurite.log" --location "$DATA/azurite" --blobPort "$BLOB" --queuePort "$QUEUE" --tablePort "$TABLE"
  pids+=("$AZURITE_PID")
  log "Azurite started (data in .data/azurite)"
fi

# A local admin key, generated once and kept with the local data.
[ -s "$DATA/admin-key" ] || { head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$DATA/admin-key"; }
ADMIN_KEY=$(cat "$DATA/admin-key")

export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
export AzureWebJobsStorage
AzureWebJobsStorage=$(azurite_connection_string "$BLOB" "$QUEUE" "$TABLE")
export Auth__AdminApiKeys__0="$ADMIN_KEY"

log "building"
dotnet build functions/Functions.csproj -c Debug -nologo -v quiet

cat <<MSG

  Managed Distribution is starting on http://127.0.0.1:$PORT
    health:    curl http://127.0.0.1:$PORT/api/health
    API:       curl -H 'Authorization: Bearer $ADMIN_KEY' http://127.0.0.1:$PORT/api/openapi.json
    admin key: $ADMIN_KEY   (kept in .data/admin-key)
  Ctrl+C stops everything this command started.

MSG
dotnet run --project functions/Functions.csproj --no-build --no-launch-profile -- --urls "http://127.0.0.1:$PORT" &
pids+=("$!")
wait "${pids[-1]}"
