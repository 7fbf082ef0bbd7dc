#!/usr/bin/env bash
# The README's run command: SigmaFlow's whole platform on this machine.
#
#   bash infra/local/run.sh              emulators + local runtime + a simulated market feed, until Ctrl+C
#   bash infra/local/run.sh demo         the command-line demo instead (indicators, backtest, sweep on a synthetic market)
#   bash infra/local/run.sh bench [...]  emulators + local runtime, then the end-to-end latency benchmark
#                                        (tests/webpubsub-client/latency.mjs; arguments go to it, e.g. --rate 5000 --duration 30)
#
# Installs what it needs (the pinned npm packages of the emulators; the .NET build), starts Azurite and the Cosmos DB
# server on free ports, starts `sigmaflow serve` (the Functions host's part: function triggers, the HTTP API, the
# Event Hubs and Web PubSub stand-ins, the dashboard) with its Event Hubs log kept in infra/local/.run/data (a restart
# continues where the last run stopped), then a feed publishing simulated ticks for a few symbols.
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

mode=run
if [ "${1:-}" != "bench" ] && [ -f static-web/package.json ]; then
  echo "== dashboard (static-web: npm ci and build, served by sigmaflow serve at /)"
  if [ ! -d static-web/node_modules ]; then npm ci --prefix static-web --no-audit --no-fund --loglevel=error; fi
  npm run --prefix static-web build --silent > /dev/null
fi
if [ "${1:-}" = "bench" ]; then
  mode=bench
  shift
  if [ ! -d tests/webpubsub-client/node_modules/@azure/web-pubsub-client ]; then
    echo "== npm ci (tests/webpubsub-client: the official Web PubSub client)"
    npm ci --prefix tests/webpubsub-client --no-audit --no-fund --loglevel=error
  fi
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
if [ "$mode" = bench ]; then
  # The benchmark prints the figures; serve's log (one line per batch) goes to the file only. Free ports, so it runs
  # beside another platform on the same machine; a fresh log of its own, so its ticks stay out of the platform's.
  rm -rf "$run/bench-data"
  "${sigmaflow[@]}" serve --data-dir "$run/bench-data" --port 0 --event-hubs-port 0 --web-pubsub-port 0 > "$run/serve.log" 2>&1 &
else
  "${sigmaflow[@]}" serve --data-dir "$run/data" --dev-key-file "$run/api-key" --dashboard static-web/dist > >(tee "$run/serve.log") 2>&1 &
fi
pids+=($!)
for _ in $(seq 1 300); do
  grep -q "Ready" "$run/serve.log" 2> /dev/null && break
  if ! kill -0 "${pids[0]}" 2> /dev/null; then echo "serve exited; see $run/serve.log" >&2; exit 1; fi
  sleep 0.1
done
EventHubConnection="$(sed -n 's/.*EventHubConnection=\([^[:space:]]*\).*/\1/p' "$run/serve.log" | head -n 1)"
WebPubSubConnection="$(sed -n 's/.*WebPubSubConnection=\([^[:space:]]*\).*/\1/p' "$run/serve.log" | head -n 1)"
export EventHubConnection WebPubSubConnection

if [ "$mode" = bench ]; then
  echo "== latency benchmark (serve's log: $run/serve.log)"
  # CPU seconds (user + system) a process has used so far, to say what the benchmark cost each part of the platform.
  cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$1/stat" 2> /dev/null || echo "?"; }
  azurite_pid="$(cat "$run/azurite.pid" 2> /dev/null || echo 0)"
  serve_before="$(cpu "${pids[0]}")" azurite_before="$(cpu "$azurite_pid")"
  status=0
  node tests/webpubsub-client/latency.mjs --out "$run/latency.json" "$@" || status=$?
  echo "CPU used during the benchmark (warm-up included): serve $(awk -v a="$serve_before" -v b="$(cpu "${pids[0]}")" 'BEGIN { print b - a }') s, Azurite $(awk -v a="$azurite_before" -v b="$(cpu "$azurite_pid")" 'BEGIN { print b - a }') s"
  echo "report: $run/latency.json"
  exit "$status"
fi

echo "== feed (simulated market: BTCUSD, ETHUSD, SOLUSD, SPY)"
"${sigmaflow[@]}" feed --source simulator --symbols BTCUSD,ETHUSD,SOLUSD,SPY --rate 40 &
pids+=($!)

echo
echo "SigmaFlow is running. Ctrl+C stops everything."
wait "${pids[0]}"
