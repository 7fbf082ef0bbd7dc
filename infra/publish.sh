#!/usr/bin/env bash
# Builds SigmaFlow's deployable function app package:
#
#   infra/publish.sh [OUT]        (default OUT: ./publish)
#
#   OUT/app/host.json               the Functions host configuration (custom handler: defaultExecutablePath sigmaflow)
#   OUT/app/<Function>/function.json  one folder per function
#   OUT/app/sigmaflow               the handler: a self-contained linux-x64 single-file executable (mode 755)
#   OUT/sigmaflow-app.zip           the same layout zipped with the executable bit kept (for zip deploy / Flex
#                                   Consumption one-deploy); built with Python's zipfile so no zip tool is needed
#
# The publish restore keeps its own lock files under obj/: a single-file publish adds the ILLink tasks package that
# normal builds do not use (package versions stay pinned by Directory.Packages.props). The package needs no .NET on the server. Build it on Linux (or keep the Unix mode bits some other way): a zip made
# on Windows loses the executable bit and the host cannot start the handler.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(realpath -m "${1:-publish}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

rm -rf "$out/app" "$out/sigmaflow-app.zip" "$out/.build"
mkdir -p "$out/app"
dotnet publish functions -c Release -r linux-x64 --self-contained true -nologo -v quiet \
  -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=none \
  -p:NuGetLockFilePath=obj/publish.packages.lock.json -p:RestoreLockedMode=false \
  -o "$out/.build"

cp host.json "$out/app/host.json"
for json in functions/*/function.json; do
  name="$(basename "$(dirname "$json")")"
  mkdir -p "$out/app/$name"
  cp "$json" "$out/app/$name/function.json"
done
cp "$out/.build/sigmaflow" "$out/app/sigmaflow"
chmod 755 "$out/app/sigmaflow"
rm -rf "$out/.build"

python3 - "$out/app" "$out/sigmaflow-app.zip" << 'PY'
import os, sys, zipfile
root, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
    for folder, _, files in os.walk(root):
        for name in sorted(files):
            path = os.path.join(folder, name)
            arc = os.path.relpath(path, root)
            info = zipfile.ZipInfo.from_file(path, arc)
            info.external_attr = (os.stat(path).st_mode & 0xFFFF) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as f:
                z.writestr(info, f.read())
PY

echo "function app: $out/app"
ls -l "$out/app" | sed 's/^/  /'
echo "package:      $out/sigmaflow-app.zip ($(du -h "$out/sigmaflow-app.zip" | cut -f1))"
