#!/usr/bin/env bash
# Runs the service locally: installs what it needs, starts Azurite with data kept in .data/
# (unless one already answers on the configured ports), the Apple-services emulator (APNs, Apps
# and Books, simulated devices), and the app in standalone mode on a fixed port.
# Settings: PORT (default 7071), AZURITE_{BLOB,QUEUE,TABLE}_PORT (default 10000-10002),
# EMULATOR_PORT (Apps and Books API and /emulator admin, default 7080), APNS_PORT (default 7443),
# DEVICES (simulated devices enrolled at start, default 3: iPad, iPhone, Mac).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROOT=$(repo_root)
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

PORT=${PORT:-7071}
EMULATOR_PORT=${EMULATOR_PORT:-7080}; APNS_PORT=${APNS_PORT:-7443}; DEVICES=${DEVICES:-3}
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

for port in "$PORT" "$EMULATOR_PORT" "$APNS_PORT"; do
  if port_open "$port"; then echo "port $port is already in use (set PORT, EMULATOR_PORT or APNS_PORT)" >&2; exit 1; fi
done

# Building the emulator builds the app too (it reuses the app's MDM protocol code).
log "building"
dotnet build tests/AppleEmulator/AppleEmulator.csproj -c Debug -nologo -v quiet

# The Apple-services emulator: APNs (HTTP/2, TLS, client certificate), the Apps and Books API
# seeded from its sample, and simulated devices that enrol once the app answers /api/health.
# Its certificates are made once and kept in .data/pki, so the app trusts them across runs.
PKI="$DATA/pki"
dotnet artifacts/bin/AppleEmulator/debug/AppleEmulator.dll \
  --urls "http://127.0.0.1:$EMULATOR_PORT" \
  --Emulator:CertificateFolder="$PKI" --Emulator:ApnsPort="$APNS_PORT" \
  --AppsAndBooksEmulator:SeedFile="$ROOT/tests/AppleEmulator/AppsAndBooks/seed.sample.json" \
  --Emulator:Devices:ServerUrl="http://127.0.0.1:$PORT/" --Emulator:Devices:Count="$DEVICES" \
  --Emulator:Devices:Seed=1 --Emulator:Devices:NotNowRetryDelay=00:00:30 \
  >"$DATA/emulator.log" 2>&1 &
pids+=("$!")
wait_for_http "http://127.0.0.1:$EMULATOR_PORT/" "${pids[-1]}" "$DATA/emulator.log"
log "Apple-services emulator started (log in .data/emulator.log)"

export Apns__BaseUrl="https://127.0.0.1:$APNS_PORT" Apns__CertificatePath="$PKI/mdm-push.p12" \
  Apns__CertificatePassword=emulator Apns__TrustedCaPath="$PKI/emulator-ca.pem" \
  AppleAppsAndBooks__BaseUrl="http://127.0.0.1:$EMULATOR_PORT/mdm/v2/"

cat <<MSG

  Managed Distribution is starting on http://127.0.0.1:$PORT
    health:    curl http://127.0.0.1:$PORT/api/health
    API:       curl -H 'Authorization: Bearer $ADMIN_KEY' http://127.0.0.1:$PORT/api/openapi.json
    admin key: $ADMIN_KEY   (kept in .data/admin-key)

  Apple-services emulator (log: .data/emulator.log, certificates: .data/pki)
    APNs:             https://127.0.0.1:$APNS_PORT   (push topic: $(push_topic "$PKI"))
    Apps and Books:   http://127.0.0.1:$EMULATOR_PORT/mdm/v2/   (sTokens: curl http://127.0.0.1:$EMULATOR_PORT/emulator/appsandbooks/locations)
    devices:          $DEVICES simulated, enrolling once the app is up: curl http://127.0.0.1:$EMULATOR_PORT/emulator/devices
                      enrol more: curl -X POST -H 'Content-Type: application/json' -d '{"count":5}' http://127.0.0.1:$EMULATOR_PORT/emulator/devices/enrol
  Ctrl+C stops everything this command started.

MSG
# The runtime's gen0 budget, as deployed (infra/modules/functionapp.bicep; Platform/Hosting/README.md).
DOTNET_GCgen0size=${DOTNET_GCgen0size:-0x4000000} \
  dotnet run --project functions/Functions.csproj --no-build --no-launch-profile -- --urls "http://127.0.0.1:$PORT" &
pids+=("$!")
wait "${pids[-1]}"
