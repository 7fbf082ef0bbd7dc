#!/usr/bin/env bash
# The README's run command: SigmaFlow's whole platform on this machine.
#
#   bash infra/local/run.sh              emulators + local runtime + a simulated market feed, until Ctrl+C
#   bash infra/local/run.sh demo         the command-line demo instead (indicators, backtest, sweep on a synthetic market)
#
# Installs what it needs (the pinned npm packages of the emulators; the .NET build), starts Azurite and the Cosmos DB
# server on free ports, starts `sigmaflow serve` (the Functions host's part: function triggers, the HTTP API, the
# Event Hubs and Web PubSub stand-ins, the dashboard), then a feed publishing simulated ticks for a few symbols.
# Everything started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== building"
dotnet build functions -c Release -nologo -v quiet
sigmaflow=(dotnet functions/bin/Release/net10.0/sigmaflow.dll)

if [ "${1:-}" = "demo" ]; then
  shift
  exec "${sigmaflow[@]}" demo "$@"
fi

run="infra/local/.run"
mkdir -p "$run"
pids=()
cleanup() {
  trap - EXIT INT TERM
  echo
  echo "== stopping"
  for pid in "${pids[@]:-}"; do
    [ -n "$pid" ] && kill -TERM "$pid" 2> /dev/null || true
  done
  for pid in "${pids[@]:-}"; do
    [ -n "$pid" ] && wait "$pid" 2> /dev/null || true
  done
  infra/local/emulators.sh stop || true
}
trap cleanup EXIT INT TERM

echo "== emulators"
infra/local/emulators.sh stop > /dev/null 2>&1 || true
infra/local/emulators.sh start
set -a
# shellcheck disable=SC1091
. "$run/env"
set +a
export AzureWebJobsStorage="$SIGMAFLOW_STORAGE" CosmosDbConnection="$SIGMAFLOW_COSMOS"

echo "== sigmaflow serve"
: > "$run/serve.log"
"${sigmaflow[@]}" serve > >(tee "$run/serve.log") 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do
  grep -q "Ready" "$run/serve.log" 2> /dev/null && break
  if ! kill -0 "${pids[0]}" 2> /dev/null; then echo "serve exited; see $run/serve.log" >&2; exit 1; fi
  sleep 0.1
done
EventHubConnection="$(sed -n 's/.*EventHubConnection=\([^[:space:]]*\).*/\1/p' "$run/serve.log" | head -n 1)"
export EventHubConnection

echo "== feed (simulated market: BTCUSD, ETHUSD, SOLUSD, SPY)"
"${sigmaflow[@]}" feed --source simulator --symbols BTCUSD,ETHUSD,SOLUSD,SPY --rate 40 &
pids+=($!)

echo
echo "SigmaFlow is running. Ctrl+C stops everything."
wait "${pids[0]}"
