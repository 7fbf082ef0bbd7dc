#!/usr/bin/env bash
# Local stand-ins for Azure storage on one machine:
#   Azurite (Tables, Queues, Blobs; data kept in infra/local/.data/azurite) and the Cosmos DB SQL API server
#   (@vercel/cosmosdb-server; HTTPS with a self-signed certificate; data in memory only).
#
#   infra/local/emulators.sh install   npm ci of the pinned versions (package-lock.json)
#   infra/local/emulators.sh start     install if needed, start both on free ports, write infra/local/.run/env
#   infra/local/emulators.sh stop      stop both cleanly (TERM, then KILL after 5 s)
#   infra/local/emulators.sh status    what runs, and the connection settings
#
# infra/local/.run/env holds the settings the platform reads (source it):
#   SIGMAFLOW_STORAGE   storage connection string (Azurite's well-known development account)
#   SIGMAFLOW_COSMOS    Cosmos connection string (the emulator's well-known key)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
run="$here/.run"
data="$here/.data"
bin="$here/node_modules/.bin"
cosmos_key="C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU9DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
azurite_key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

install() {
  if ! command -v npm > /dev/null; then
    echo "npm is not installed; install Node.js 20 or later (Debian: apt-get install nodejs npm)." >&2
    exit 1
  fi
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
}

running() { [ -f "$run/$1.pid" ] && kill -0 "$(cat "$run/$1.pid")" 2> /dev/null; }

# wait_for LOG PATTERN COUNT: waits up to 60 s for COUNT lines matching PATTERN in LOG.
wait_for() {
  for _ in $(seq 1 600); do
    if [ "$(grep -cE "$2" "$1" 2> /dev/null || true)" -ge "$3" ]; then return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for $1; its last lines:" >&2
  tail -n 20 "$1" >&2
  return 1
}

port_of() { grep -E "$2" "$1" | head -n 1 | sed -E 's/.*:([0-9]+)[[:space:]]*$/\1/'; }

start() {
  [ -x "$bin/azurite" ] && [ -x "$bin/cosmosdb-server" ] || install
  mkdir -p "$run" "$data/azurite"
  if running azurite || running cosmos; then
    echo "already running; 'infra/local/emulators.sh stop' first." >&2
    status
    return 0
  fi

  : > "$run/azurite.log"
  nohup "$bin/azurite" --location "$data/azurite" --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
    --blobPort 0 --queuePort 0 --tablePort 0 --skipApiVersionCheck --disableTelemetry > "$run/azurite.log" 2>&1 &
  echo $! > "$run/azurite.pid"
  : > "$run/cosmos.log"
  nohup "$bin/cosmosdb-server" -p 0 > "$run/cosmos.log" 2>&1 &
  echo $! > "$run/cosmos.pid"

  wait_for "$run/azurite.log" "successfully listening at" 3
  wait_for "$run/cosmos.log" "Ready to accept HTTPS connections" 1
  local blob queue table cosmos
  blob="$(port_of "$run/azurite.log" "Blob service is successfully listening")"
  queue="$(port_of "$run/azurite.log" "Queue service is successfully listening")"
  table="$(port_of "$run/azurite.log" "Table service is successfully listening")"
  cosmos="$(port_of "$run/cosmos.log" "Ready to accept HTTPS connections")"
  cat > "$run/env" << EOF
SIGMAFLOW_STORAGE='DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$azurite_key;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;'
SIGMAFLOW_COSMOS='AccountEndpoint=https://127.0.0.1:$cosmos/;AccountKey=$cosmos_key;'
EOF
  echo "Azurite: tables 127.0.0.1:$table, queues 127.0.0.1:$queue, blobs 127.0.0.1:$blob (data in infra/local/.data/azurite)"
  echo "Cosmos DB server: https://127.0.0.1:$cosmos/ (self-signed certificate, data in memory)"
  echo "settings: infra/local/.run/env"
}

stop_one() {
  local name="$1"
  if running "$name"; then
    local pid
    pid="$(cat "$run/$name.pid")"
    kill -TERM "$pid" 2> /dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2> /dev/null || true
    echo "stopped $name"
  fi
  rm -f "$run/$name.pid"
}

stop() {
  stop_one azurite
  stop_one cosmos
  rm -f "$run/env"
}

status() {
  for name in azurite cosmos; do
    if running "$name"; then echo "$name: running (pid $(cat "$run/$name.pid"))"; else echo "$name: stopped"; fi
  done
  [ -f "$run/env" ] && cat "$run/env"
  return 0
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: infra/local/emulators.sh install|start|stop|status" >&2; exit 2 ;;
esac
