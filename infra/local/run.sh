#!/usr/bin/env bash
# The README's run command: builds SigmaFlow and runs its main job on this machine.
# Today that is the command line on a synthetic market the project generates itself (the demo); the local
# platform (emulators, `sigmaflow serve`, live feed) takes this place when the Functions host lands.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build functions -c Release -nologo -v quiet
exec dotnet functions/bin/Release/net10.0/sigmaflow.dll demo "$@"
