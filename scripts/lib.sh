# Shared by scripts/run.sh and scripts/test.sh: install what the project needs and start Azurite.
# shellcheck shell=bash

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

log() { printf '==> %s\n' "$*" >&2; }

require_tools() {
  command -v dotnet >/dev/null || { echo "dotnet (the .NET 10 SDK) is required" >&2; exit 1; }
  command -v node >/dev/null || { echo "node (Node.js 20) is required" >&2; exit 1; }
  command -v npm >/dev/null || { echo "npm is required" >&2; exit 1; }
}

# Debian packages the tests and the run command use, installed only when missing.
ensure_apt_packages() {
  local missing=()
  # "install ok installed" only: a removed package can linger in dpkg's database (state rc).
  for pkg in "$@"; do
    [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = "install ok installed" ] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  # env carries DEBIAN_FRONTEND through sudo (which resets the environment); no stdin, no prompts (CI).
  $sudo apt-get update -qq </dev/null \
    && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
}

# npm ci when node_modules is missing or older than the lockfile (Azurite 3.35.0 and the JS storage SDKs).
ensure_node_modules() {
  local root=$1
  if [ ! -x "$root/node_modules/.bin/azurite" ] || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
    log "installing node packages (npm ci)"
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# start_azurite ROOT LOGFILE ARGS... : starts Azurite in the background, waits until its three
# services listen, and sets AZURITE_PID and AZURITE_BLOB_PORT/QUEUE_PORT/TABLE_PORT.
start_azurite() {
  local root=$1 logfile=$2; shift 2
  node "$root/node_modules/azurite/dist/src/azurite.js" --disableTelemetry --skipApiVersionCheck \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 "$@" >"$logfile" 2>&1 &
  AZURITE_PID=$!
  for _ in $(seq 1 300); do
    if [ "$(grep -c 'successfully listening' "$logfile" 2>/dev/null)" -ge 3 ]; then
      AZURITE_BLOB_PORT=$(sed -n 's/.*Blob service is successfully listening at http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$logfile")
      AZURITE_QUEUE_PORT=$(sed -n 's/.*Queue service is successfully listening at http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$logfile")
      AZURITE_TABLE_PORT=$(sed -n 's/.*Table service is successfully listening at http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$logfile")
      return 0
    fi
    kill -0 "$AZURITE_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "Azurite did not start; its output:" >&2; cat "$logfile" >&2
  return 1
}

azurite_connection_string() {
  local key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  printf 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=%s;BlobEndpoint=http://127.0.0.1:%s/devstoreaccount1;QueueEndpoint=http://127.0.0.1:%s/devstoreaccount1;TableEndpoint=http://127.0.0.1:%s/devstoreaccount1;' \
    "$key" "$1" "$2" "$3"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for_http URL PID LOGFILE: waits until URL answers 2xx, failing early (with the log) if PID exits.
wait_for_http() {
  local url=$1 pid=$2 logfile=$3
  for _ in $(seq 1 600); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$url did not answer; output:" >&2; cat "$logfile" >&2
  return 1
}

# push_topic PKI_FOLDER: the MDM topic (subject UID) of the emulator's push certificate.
push_topic() {
  openssl pkcs12 -in "$1/mdm-push.p12" -passin pass:emulator -nokeys 2>/dev/null \
    | openssl x509 -noout -subject -nameopt sep_multiline 2>/dev/null | sed -n 's/^ *UID=//p'  || true
}
