#!/usr/bin/env bash
# Builds the deployable Functions package: artifacts/app/ (the folder `func start --script-root`
# would run) and artifacts/app.zip (what the pipeline tests, publishes and deploys).
#
#   artifacts/app/host.json
#   artifacts/app/<FunctionName>/function.json   one folder per functions/Bindings/* folder
#   artifacts/app/bin/ManagedDistribution.Functions   self-contained linux-x64 custom handler
#
# Usage: scripts/stage.sh [--framework-dependent]
#   --framework-dependent  publish without the runtime (host.json must then launch "dotnet" with
#                          "bin/ManagedDistribution.Functions.dll"); for feeds without the
#                          linux-x64 runtime packs.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
app="$root/artifacts/app"
zip_path="$root/artifacts/app.zip"
configuration="${CONFIGURATION:-Release}"

publish_mode=(-r linux-x64 --self-contained)
if [[ "${1:-}" == "--framework-dependent" ]]; then
  publish_mode=(--no-self-contained)
fi

rm -rf "$app" "$zip_path"
mkdir -p "$app"

echo "stage: dotnet publish (${publish_mode[*]})"
dotnet publish "$root/functions/Functions.csproj" -c "$configuration" "${publish_mode[@]}" \
  -o "$app/bin" -p:DebugType=none -p:GenerateDocumentationFile=false --nologo

cp "$root/host.json" "$app/host.json"

shopt -s nullglob
functions=0
for binding in "$root"/functions/Bindings/*/; do
  name="$(basename "$binding")"
  if [[ ! -f "$binding/function.json" ]]; then
    echo "stage: $binding has no function.json" >&2
    exit 1
  fi
  mkdir -p "$app/$name"
  cp "$binding"/*.json "$app/$name/"
  functions=$((functions + 1))
done
if (( functions == 0 )); then
  echo "stage: no functions/Bindings/*/function.json found" >&2
  exit 1
fi

# Zips made elsewhere can lose the exec bit; the Flex host only fixes defaultExecutablePath.
if [[ -f "$app/bin/ManagedDistribution.Functions" ]]; then
  chmod +x "$app/bin/ManagedDistribution.Functions"
fi

# local.settings.json is for `func start` on a developer machine only; copy it when staging
# locally so the staged folder runs as-is, but never into the zip that ships.
echo "stage: zipping $functions function(s) to ${zip_path#"$root"/}"
if command -v zip >/dev/null 2>&1; then
  (cd "$app" && zip -q -r -X "$zip_path" .)
else
  (cd "$app" && python3 -m zipfile -c "$zip_path" ./*)
fi

if [[ "${STAGE_LOCAL_SETTINGS:-}" == "1" && -f "$root/local.settings.json" ]]; then
  cp "$root/local.settings.json" "$app/local.settings.json"
fi

echo "stage: done ($(du -h "$zip_path" | cut -f1))"
